// "/pipelines/<name>": its runs as a table sorted by any of its time, name or status columns,
// filtered by status, tag, metadata and creation date, with chosen metadata and parameter
// keys as columns; paged; pick up to 20 runs to compare. Updates live.
import { useEffect, useState } from "react";
import { Link, useLocation } from "wouter";
import { subscribe } from "../api.js";
import { Loaded, Status, duration, shown, useQuery, when } from "../common.jsx";

const RUNS = `query($name: String!, $first: Int!, $after: String, $filter: PipelineRunFilter,
    $orderBy: RunOrder) {
  pipeline(name: $name) { name runCount }
  pipelineRuns(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name status created startTime endTime tags config runMetadata { key value } } } }
}`;

const UPDATES = `subscription($name: String!) { pipelineRunUpdates(pipelineName: $name) { id status } }`;
const STATUSES = ["", "RUNNING", "COMPLETED", "FAILED", "CACHED", "INITIALIZED"];
const OPS = ["EQ", "NE", "GT", "GTE", "LT", "LTE"];
const PAGE = 20;
const SORTABLE = [
  ["NAME", "Run"],
  ["STATUS", "Status"],
  ["CREATED", "Created"],
  ["START_TIME", "Started"],
  ["END_TIME", "Ended"],
];

function metadataFilter(condition) {
  if (!condition.key.trim() || condition.value === "") return null;
  const number = Number(condition.value);
  const value = condition.value.trim() !== "" && !Number.isNaN(number) ? number : condition.value;
  return [{ key: condition.key.trim(), op: condition.op, value }];
}

function cell(run, key) {
  const entry = run.runMetadata.find((m) => m.key === key);
  if (entry) return shown(entry.value);
  const parameters = (run.config && run.config.parameters) || {};
  return key in parameters ? shown(parameters[key]) : "";
}

function seconds(run) {
  return run.startTime && run.endTime ? new Date(run.endTime) - new Date(run.startTime) : -1;
}

function ordered(edges, byDuration, direction) {
  if (!byDuration) return edges;
  const sign = direction === "DESC" ? -1 : 1;
  return [...edges].sort((a, b) => sign * (seconds(a.node) - seconds(b.node)));
}

export function Pipeline({ name }) {
  const [status, setStatus] = useState("");
  const [tag, setTag] = useState("");
  const [after, setAfter] = useState("");
  const [before, setBefore] = useState("");
  const [condition, setCondition] = useState({ key: "", op: "GT", value: "" });
  const [order, setOrder] = useState({ field: "CREATED", direction: "DESC" });
  const [columns, setColumns] = useState("");
  const [cursors, setCursors] = useState([null]);
  const [picked, setPicked] = useState([]);
  const [refused, setRefused] = useState(false);
  const [, navigate] = useLocation();
  const filter = {
    pipelineName: name,
    status: status ? [status] : null,
    tag: tag.trim() || null,
    createdAfter: after ? new Date(after).toISOString() : null,
    createdBefore: before ? new Date(before).toISOString() : null,
    metadata: metadataFilter(condition),
  };
  // Duration is not stored: it sorts the page shown (newest first), not the whole list.
  const byDuration = order.field === "DURATION";
  const orderBy = byDuration ? { field: "CREATED", direction: "DESC" } : order;
  const variables = { name, first: PAGE, after: cursors[cursors.length - 1], filter, orderBy };
  const state = useQuery(RUNS, variables);
  useEffect(() => subscribe(UPDATES, { name }, () => state.reload()), [name]);
  const restart = (change) => (value) => { change(value); setCursors([null]); };
  const sortBy = (field) =>
    restart(setOrder)({
      field,
      direction: order.field === field && order.direction === "DESC" ? "ASC" : "DESC",
    });
  const keys = columns.split(",").map((k) => k.trim()).filter(Boolean);
  const toggle = (id) => {
    if (!picked.includes(id) && picked.length >= 20) {
      setRefused(true);
      return;
    }
    setRefused(false);
    setPicked((now) => (now.includes(id) ? now.filter((x) => x !== id) : [...now, id]));
  };
  return (
    <main>
      <h1>{name}</h1>
      <div className="toolbar filters">
        <label>
          Status{" "}
          <select value={status} aria-label="status" onChange={(e) => restart(setStatus)(e.target.value)}>
            {STATUSES.map((s) => <option key={s} value={s}>{s || "any"}</option>)}
          </select>
        </label>
        <label>Tag <input aria-label="tag" value={tag} onChange={(e) => restart(setTag)(e.target.value)} /></label>
        <label>From <input type="date" aria-label="created from" value={after} onChange={(e) => restart(setAfter)(e.target.value)} /></label>
        <label>To <input type="date" aria-label="created to" value={before} onChange={(e) => restart(setBefore)(e.target.value)} /></label>
        <span>
          Metadata{" "}
          <input aria-label="metadata key" placeholder="key" size="10" value={condition.key}
            onChange={(e) => restart(setCondition)({ ...condition, key: e.target.value })} />
          <select aria-label="metadata comparison" value={condition.op}
            onChange={(e) => restart(setCondition)({ ...condition, op: e.target.value })}>
            {OPS.map((op) => <option key={op} value={op}>{op.toLowerCase()}</option>)}
          </select>
          <input aria-label="metadata value" placeholder="value" size="8" value={condition.value}
            onChange={(e) => restart(setCondition)({ ...condition, value: e.target.value })} />
        </span>
        <label>
          Columns{" "}
          <input aria-label="columns" placeholder="metadata or parameter keys, a, b" value={columns}
            onChange={(e) => setColumns(e.target.value)} />
        </label>
      </div>
      <div className="toolbar">
        <button type="button" id="compare" disabled={picked.length < 2} onClick={() => navigate(`/compare?runs=${picked.join(",")}`)}>
          Compare {picked.length} runs
        </button>
        {refused ? <span className="error" role="alert">At most 20 runs can be compared; unpick one first.</span> : null}
      </div>
      <Loaded state={state}>
        {(data) =>
          !data.pipeline ? (
            <p className="error">No pipeline named {name}.</p>
          ) : (
            <>
              <table className="list" id="runs">
                <thead>
                  <tr>
                    <th></th>
                    {SORTABLE.map(([field, label]) => (
                      <th key={field}>
                        <button type="button" className="link sort" aria-label={`sort by ${label.toLowerCase()}`} onClick={() => sortBy(field)}>
                          {label}{order.field === field ? (order.direction === "DESC" ? " ↓" : " ↑") : ""}
                        </button>
                      </th>
                    ))}
                    <th>
                      <button type="button" className="link sort" aria-label="sort by duration" title="sorts this page" onClick={() => sortBy("DURATION")}>
                        Duration{byDuration ? (order.direction === "DESC" ? " ↓" : " ↑") : ""}
                      </button>
                    </th>
                    {keys.map((key) => <th key={key} data-column={key}>{key}</th>)}
                    <th>Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {ordered(data.pipelineRuns.edges, byDuration, order.direction).map(({ node }) => (
                    <tr key={node.id} data-run-id={node.id}>
                      <td>
                        <input type="checkbox" aria-label={`pick ${node.name}`} checked={picked.includes(node.id)} onChange={() => toggle(node.id)} />
                      </td>
                      <td><Link href={`/runs/${node.id}`}>{node.name}</Link></td>
                      <td><Status status={node.status} /></td>
                      <td>{when(node.created)}</td>
                      <td>{when(node.startTime)}</td>
                      <td>{when(node.endTime)}</td>
                      <td>{duration(node.startTime, node.endTime)}</td>
                      {keys.map((key) => <td key={key} data-column={key}>{cell(node, key)}</td>)}
                      <td>{node.tags.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <span>{data.pipelineRuns.totalCount} runs</span>
                <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</button>
                <button
                  type="button"
                  disabled={!data.pipelineRuns.pageInfo.hasNextPage}
                  onClick={() => setCursors((c) => [...c, data.pipelineRuns.pageInfo.endCursor])}
                >
                  Older
                </button>
              </div>
            </>
          )
        }
      </Loaded>
    </main>
  );
}
