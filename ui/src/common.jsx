// Small pieces every page uses. Every stored value is rendered as text (React escapes it).
import { useEffect, useState } from "react";
import { Link } from "wouter";
import { graphql, setToken } from "./api.js";

export function useQuery(query, variables) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    graphql(query, variables).then(
      (data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }),
    );
    return () => {
      live = false;
    };
  }, [query, key, version]);
  return { ...state, reload: () => setVersion((v) => v + 1), setData: (data) => setState({ loading: false, data, error: null }) };
}

export function Loaded({ state, children }) {
  if (state.error) {
    if (state.error.code === "UNAUTHENTICATED") return <TokenForm />;
    return (
      <p className="error" role="alert">
        {state.error.message}
      </p>
    );
  }
  if (!state.data) return <p className="loading">Loading…</p>;
  return children(state.data);
}

function TokenForm() {
  const [value, setValue] = useState("");
  return (
    <form
      className="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        setToken(value);
        location.reload();
      }}
    >
      <p>This server needs a token to read (LINEAGEQL_API_TOKEN).</p>
      <input type="password" value={value} onChange={(e) => setValue(e.target.value)} aria-label="token" />
      <button type="submit">Use token</button>
    </form>
  );
}

export function Status({ status }) {
  return <span className={`status status-${(status || "").toLowerCase()}`}>{status}</span>;
}

export function when(text) {
  return text ? new Date(text).toLocaleString() : "";
}

export function duration(start, end) {
  if (!start || !end) return "";
  const seconds = (new Date(end) - new Date(start)) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

export function shown(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function KeyValues({ title, values }) {
  const entries = Object.entries(values || {});
  if (!entries.length) return null;
  return (
    <section>
      <h3>{title}</h3>
      <table className="kv">
        <tbody>
          {entries.map(([key, value]) => (
            <tr key={key}>
              <th>{key}</th>
              <td>{shown(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Metadata({ entries }) {
  if (!entries || !entries.length) return null;
  return (
    <section>
      <h3>Metadata</h3>
      <table className="kv">
        <tbody>
          {entries.map((m) => (
            <tr key={m.key}>
              <th>{m.key}</th>
              <td>{shown(m.value)}</td>
              <td className="type">{m.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function VersionLink({ version }) {
  return (
    <Link href={`/artifact-versions/${encodeURIComponent(version.id)}`}>
      {version.name}:{version.version}
    </Link>
  );
}

export function Tags({ tags }) {
  return (tags || []).map((tag) => (
    <span className="tag" key={tag}>
      {tag}
    </span>
  ));
}
