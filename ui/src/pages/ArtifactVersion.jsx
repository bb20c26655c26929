// "/artifact-versions/<id>": upstream and downstream lineage as a graph (depth control,
// expand on click, marked when truncated), the version's columns (a column's upstream
// columns listed and their versions marked on the graph), metadata, tags and files.
import { useEffect, useMemo, useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { graphql } from "../api.js";
import { Loaded, Metadata, Tags, shown, useQuery, when } from "../common.jsx";
import { Graph } from "../graph.jsx";

const VERSION = `query($id: ID!, $depth: Int!, $direction: LineageDirection!) {
  artifactVersion(id: $id) { id name version type dataType uri saveType created tags
    runMetadata { key value type } visualizations { type uri }
    producedBy { id name run { id name } }
    columns { name type }
    artifact { versions(first: 100) { edges { node { id version } } } } }
  lineage(artifactVersionId: $id, direction: $direction, depth: $depth) {
    truncated
    nodes { id kind name depth ... on LineageVersionNode { version reuseCount } ... on LineageStepNode { status step { run { id } } } }
    edges { source target name }
  }
}`;

const COLUMN = `query($id: ID!, $column: String!, $depth: Int!) {
  columnLineage(artifactVersionId: $id, column: $column, depth: $depth) {
    truncated
    nodes { id depth column { name type artifactVersion { id name version } } }
    edges { source target transformation subtype description masking }
  }
}`;

const DIFF = `query($from: ID!, $to: ID!) {
  lineageDiff(fromId: $from, toId: $to) {
    from { version } truncated
    steps { stepName change sourceChanged parameters { key from to } settings { key from to } }
    artifacts { name change from { version } to { version } metadata { key from to } }
  }
}`;

const AROUND = `query($id: ID!) {
  lineage(artifactVersionId: $id, direction: BOTH, depth: 1) {
    truncated
    nodes { id kind name depth ... on LineageVersionNode { version reuseCount } ... on LineageStepNode { status step { run { id } } } }
    edges { source target name }
  }
}`;

const DIRECTIONS = ["BOTH", "UPSTREAM", "DOWNSTREAM"];

/** The walk and the expansions around nodes, each node once: a node keeps its depth from the
 * walk (its true distance from the start version); one only an expansion reached is one
 * step further than the node expanded. */
function merge(walk, expansions) {
  const nodes = new Map(walk.nodes.map((n) => [n.id, n]));
  const edges = new Map();
  let truncated = walk.truncated;
  for (const e of walk.edges) edges.set(`${e.source}>${e.target}>${e.name}`, e);
  for (const { around, lineage } of expansions) {
    truncated = truncated || lineage.truncated;
    const base = nodes.get(around)?.depth ?? 0;
    for (const n of lineage.nodes) if (!nodes.has(n.id)) nodes.set(n.id, { ...n, depth: base + n.depth });
    for (const e of lineage.edges) edges.set(`${e.source}>${e.target}>${e.name}`, e);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

/** Depth, direction and the selected node live in the URL (?depth=5&direction=UPSTREAM&node=…),
 * so a reload or a shared link shows the same walk. */
function useWalkParams() {
  const search = new URLSearchParams(useSearch());
  const [location, navigate] = useLocation();
  const depth = Math.max(1, Math.min(50, Number(search.get("depth")) || 3));
  const direction = DIRECTIONS.includes(search.get("direction")) ? search.get("direction") : "BOTH";
  const node = search.get("node") || null;
  const set = (changes) => {
    const next = new URLSearchParams({ depth: String(depth), direction, ...(node ? { node } : {}), ...changes });
    if (!next.get("node")) next.delete("node");
    navigate(`${location}?${next}`, { replace: true });
  };
  return { depth, direction, node, set };
}

export function ArtifactVersion({ id }) {
  const { depth, direction, node, set } = useWalkParams();
  const [extra, setExtra] = useState([]);
  const state = useQuery(VERSION, { id, depth, direction });
  const [, navigate] = useLocation();
  const expand = (node) => {
    if (node.kind !== "version") return;
    graphql(AROUND, { id: node.id }).then((data) =>
      setExtra((now) => [...now, { around: node.id, lineage: data.lineage }]),
    );
  };
  const open = (node) => {
    if (node.kind === "version") navigate(`/artifact-versions/${encodeURIComponent(node.id)}`);
    else if (node.runId) navigate(`/runs/${encodeURIComponent(node.runId)}`);
  };
  return (
    <main className="with-panel">
      <Loaded state={state}>
        {(data) =>
          !data.artifactVersion ? (
            <p className="error">No artifact version with id {id}.</p>
          ) : (
            <VersionView
              version={data.artifactVersion}
              lineage={merge(data.lineage, extra)}
              depth={depth}
              direction={direction}
              setWalk={(changes) => { setExtra([]); set(changes); }}
              selected={node}
              onSelect={(id) => set({ node: id || "" })}
              onExpand={expand}
              onOpen={open}
            />
          )
        }
      </Loaded>
    </main>
  );
}

function DepthInput({ depth, onChange }) {
  // Typed freely; a whole number from 1 to 50 is taken on Enter or when the field is left.
  const [text, setText] = useState(String(depth));
  useEffect(() => setText(String(depth)), [depth]);
  const commit = () => {
    const value = Number(text);
    if (Number.isInteger(value) && value >= 1 && value <= 50) {
      if (value !== depth) onChange(value);
    } else setText(String(depth));
  };
  return (
    <input
      type="number" min="1" max="50" value={text} aria-label="depth"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && commit()}
    />
  );
}

function VersionView({ version, lineage, depth, direction, setWalk, onExpand, onOpen, selected, onSelect }) {
  const [diff, setDiff] = useState(null);
  const [traced, setTraced] = useState(null);
  const trace = (column) =>
    graphql(COLUMN, { id: version.id, column, depth }).then((d) => setTraced({ column, ...d.columnLineage }));
  const tracedVersions = useMemo(
    () => new Set(traced ? traced.nodes.filter((n) => n.depth > 0).map((n) => n.column.artifactVersion.id) : []),
    [traced],
  );
  const changed = useMemo(() => {
    if (!diff) return new Set();
    const moved = (c) => c.change !== "SAME";
    return new Set([
      ...diff.steps.filter(moved).map((c) => `step:${c.stepName}`),
      ...diff.artifacts.filter(moved).map((c) => `version:${c.name}`),
    ]);
  }, [diff]);
  const names = useMemo(
    () => new Map(lineage.nodes.filter((n) => n.kind === "ARTIFACT_VERSION").map((n) => [n.id, n.name])),
    [lineage],
  );
  const graph = useMemo(
    () => ({
      nodes: lineage.nodes.map((n) => ({
        id: n.id,
        label: n.kind === "ARTIFACT_VERSION" ? `${n.name}:${n.version}` : n.name,
        kind: n.kind === "ARTIFACT_VERSION" ? "version" : "step",
        runId: n.step ? n.step.run.id : null,
        status: n.status,
        detail: n.kind === "ARTIFACT_VERSION"
          ? `depth ${n.depth}${n.reuseCount ? ` · reused by ${n.reuseCount} cached` : ""}`
          : (n.status || "").toLowerCase(),
        highlight: n.id === version.id,
        traced: tracedVersions.has(n.id),
        changed: changed.has(`${n.kind === "ARTIFACT_VERSION" ? "version" : "step"}:${n.name}`),
      })),
      // Labelled by the artifact passing along the edge (its version end).
      edges: lineage.edges.map((e) => ({
        id: `${e.source}>${e.target}>${e.name}`,
        source: e.source,
        target: e.target,
        label: names.get(e.source) || names.get(e.target) || e.name,
      })),
    }),
    [lineage, version.id, changed, tracedVersions, names],
  );
  const others = version.artifact.versions.edges.map((e) => e.node).filter((v) => v.id !== version.id);
  return (
    <>
      <div className="content">
        <h1>{version.name}:{version.version}</h1>
        <p className="facts">
          {version.type} · {version.saveType.toLowerCase()} · created {when(version.created)}
          {version.producedBy ? (
            <> · produced by {version.producedBy.name} in <Link href={`/runs/${version.producedBy.run.id}`}>{version.producedBy.run.name}</Link></>
          ) : null}
        </p>
        <div className="toolbar">
          <label>
            Depth <DepthInput depth={depth} onChange={(d) => setWalk({ depth: String(d) })} />
          </label>
          <label>
            Direction{" "}
            <select value={direction} aria-label="direction" onChange={(e) => setWalk({ direction: e.target.value })}>
              {DIRECTIONS.map((d) => <option key={d} value={d}>{d.toLowerCase()}</option>)}
            </select>
          </label>
          {lineage.truncated ? <span className="truncated" role="status">truncated: more lineage lies beyond</span> : null}
          <label>
            Compare with…{" "}
            <select
              aria-label="compare with"
              defaultValue=""
              onChange={(e) =>
                e.target.value
                  ? graphql(DIFF, { from: e.target.value, to: version.id }).then((d) => setDiff(d.lineageDiff))
                  : setDiff(null)
              }
            >
              <option value="">no other version</option>
              {others.map((v) => <option key={v.id} value={v.id}>version {v.version}</option>)}
            </select>
          </label>
          <span className="hint">Click a version to expand around it and mark its path; double-click a version or step to open it.</span>
        </div>
        <Graph
          nodes={graph.nodes}
          edges={graph.edges}
          onNodeClick={onExpand}
          onNodeDoubleClick={onOpen}
          focus={version.id}
          fitKey={`${depth}:${direction}`}
          selected={selected}
          onSelect={onSelect}
        />
        {diff ? <DiffTable diff={diff} name={version.name} version={version.version} /> : null}
        {traced ? <ColumnSources traced={traced} /> : null}
      </div>
      <aside className="panel" aria-label="version">
        <h2>Version</h2>
        <p><Tags tags={version.tags} /></p>
        <p className="uri">{version.uri}</p>
        <p><a href={`/artifact-versions/${version.id}/download`}>Download</a></p>
        {version.columns.length ? (
          <section>
            <h3>Columns</h3>
            <table className="list" id="columns">
              <tbody>
                {version.columns.map((c) => (
                  <tr key={c.name} className={traced && traced.column === c.name ? "selected" : ""}>
                    <td><button type="button" className="link" onClick={() => trace(c.name)}>{c.name}</button></td>
                    <td>{c.type || ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
        <Metadata entries={version.runMetadata} />
        {version.visualizations.length ? (
          <section>
            <h3>Visualizations</h3>
            {version.visualizations.map((v, index) => {
              const src = `/artifact-versions/${encodeURIComponent(version.id)}/visualizations/${index}`;
              // User content: an image, or a frame sandboxed with scripts off (the server
              // also serves it under a sandbox policy).
              return v.type === "image" ? (
                <img key={v.uri} className="visualization" src={src} alt={`${version.name} ${v.type}`} />
              ) : (
                <iframe key={v.uri} className="visualization" sandbox="" src={src} title={`${version.name} ${v.type}`} />
              );
            })}
          </section>
        ) : null}
      </aside>
    </>
  );
}

function changes(list) {
  return list.map((c) => `${c.key}: ${shown(c.from)} → ${shown(c.to)}`).join("; ");
}

function DiffTable({ diff, name, version }) {
  const rows = [
    ...diff.steps.map((c) => ({
      kind: "step", name: c.stepName, change: c.change,
      detail: [changes(c.parameters), changes(c.settings), c.sourceChanged ? "source changed" : ""].filter(Boolean).join("; "),
    })),
    ...diff.artifacts.map((c) => ({
      kind: "artifact", name: c.name, change: c.change,
      detail: [c.from && c.to && c.from.version !== c.to.version ? `version ${c.from.version} → ${c.to.version}` : "", changes(c.metadata)].filter(Boolean).join("; "),
    })),
  ];
  return (
    <section>
      <h2>Why {name}:{version} differs from version {diff.from.version}</h2>
      <table className="list" id="diff">
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.kind}-${row.name}`} className={row.change === "SAME" ? "" : "changed"} data-change={row.change}>
              <td>{row.kind}</td><td>{row.name}</td><td>{row.change}</td><td>{row.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ColumnSources({ traced }) {
  const nodes = new Map(traced.nodes.map((n) => [n.id, n]));
  const sources = traced.edges
    .map((e) => ({ ...e, from: nodes.get(e.source), to: nodes.get(e.target) }))
    .filter((e) => e.from && e.to)
    .sort((a, b) => a.from.depth - b.from.depth || a.from.column.name.localeCompare(b.from.column.name));
  const name = (n) => `${n.column.artifactVersion.name}:${n.column.artifactVersion.version} · ${n.column.name}`;
  return (
    <section>
      <h2>Where {traced.column} comes from</h2>
      {sources.length ? (
        <table className="list" id="column-sources">
          <tbody>
            {sources.map((e) => (
              <tr key={`${e.source}>${e.target}>${e.transformation}>${e.subtype}`} data-depth={e.from.depth}>
                <td>{name(e.from)}</td>
                <td>→ {e.to.column.name}</td>
                <td>{[e.transformation, e.subtype].filter(Boolean).join(" ").toLowerCase()}{e.masking ? " (masked)" : ""}</td>
                <td>{e.description || ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No producer said where this column comes from.</p>
      )}
      {traced.truncated ? <p className="truncated">More lies beyond the depth.</p> : null}
    </section>
  );
}
