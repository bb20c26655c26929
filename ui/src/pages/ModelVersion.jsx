// "/models/<name>/versions/<version>": one model version (by number, name or stage): its
// stage and how it got there, the artifact versions it holds, the runs that made it, its
// metadata, and the upstream lineage of its model artifact as a graph.
import { useMemo } from "react";
import { Link, useLocation } from "wouter";
import { Loaded, Metadata, Tags, VersionLink, useQuery, when } from "../common.jsx";
import { Graph } from "../graph.jsx";
import { Stage } from "./Models.jsx";

const VERSION = `query($model: String!, $version: String!) {
  modelVersion(model: $model, version: $version) { id number name stage created description tags
    model { name }
    runMetadata { key value type }
    stageHistory { fromStage toStage at by }
    artifacts { kind artifactVersion { id name version } }
    runs { id name status }
    modelArtifact { id name version } }
}`;

const LINEAGE = `query($id: ID!) {
  lineage(artifactVersionId: $id, direction: UPSTREAM, depth: 5) {
    truncated
    nodes { id kind name depth ... on LineageVersionNode { version reuseCount } ... on LineageStepNode { status } }
    edges { source target name }
  }
}`;

export function ModelVersion({ model, version }) {
  const state = useQuery(VERSION, { model, version });
  return (
    <main className="with-panel">
      <Loaded state={state}>
        {(data) =>
          !data.modelVersion ? (
            <p className="error">Model {model} has no version {version}.</p>
          ) : (
            <VersionView version={data.modelVersion} />
          )
        }
      </Loaded>
    </main>
  );
}

function VersionView({ version }) {
  const [, navigate] = useLocation();
  return (
    <>
      <div className="content">
        <h1>
          <Link href={`/models/${encodeURIComponent(version.model.name)}`}>{version.model.name}</Link> version {version.name}
        </h1>
        <p className="facts">
          <Stage stage={version.stage} /> · number {version.number} · created {when(version.created)} <Tags tags={version.tags} />
        </p>
        {version.description ? <p>{version.description}</p> : null}
        {version.modelArtifact ? (
          <>
            <h2>Where the model comes from: <VersionLink version={version.modelArtifact} /></h2>
            <ModelLineage id={version.modelArtifact.id} onOpen={(node) =>
              node.kind === "version" ? navigate(`/artifact-versions/${encodeURIComponent(node.id)}`) : null} />
          </>
        ) : (
          <p className="hint">This version holds no model artifact.</p>
        )}
        <h2>Stage history</h2>
        <table className="list" id="stage-history">
          <tbody>
            {version.stageHistory.length ? version.stageHistory.map((c) => (
              <tr key={`${c.at}-${c.toStage}`}>
                <td>{when(c.at)}</td><td>{c.fromStage.toLowerCase()} → {c.toStage.toLowerCase()}</td><td>{c.by || ""}</td>
              </tr>
            )) : <tr><td>Never moved from none.</td></tr>}
          </tbody>
        </table>
      </div>
      <aside className="panel" aria-label="model version">
        <h2>Artifacts</h2>
        <table className="list" id="model-artifacts">
          <tbody>
            {version.artifacts.map((a) => (
              <tr key={`${a.kind}-${a.artifactVersion.id}`} data-kind={a.kind}>
                <td>{a.kind.toLowerCase()}</td><td><VersionLink version={a.artifactVersion} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Made by</h3>
        <ul id="model-runs">
          {version.runs.map((r) => <li key={r.id}><Link href={`/runs/${r.id}`}>{r.name}</Link></li>)}
        </ul>
        <Metadata entries={version.runMetadata} />
      </aside>
    </>
  );
}

function ModelLineage({ id, onOpen }) {
  const state = useQuery(LINEAGE, { id });
  return (
    <Loaded state={state}>
      {(data) => <LineageGraph lineage={data.lineage} start={id} onOpen={onOpen} />}
    </Loaded>
  );
}

function LineageGraph({ lineage, start, onOpen }) {
  const graph = useMemo(
    () => ({
      nodes: lineage.nodes.map((n) => ({
        id: n.id,
        label: n.kind === "ARTIFACT_VERSION" ? `${n.name}:${n.version}` : n.name,
        kind: n.kind === "ARTIFACT_VERSION" ? "version" : "step",
        status: n.status,
        detail: n.kind === "ARTIFACT_VERSION" ? `depth ${n.depth}` : (n.status || "").toLowerCase(),
        highlight: n.id === start,
      })),
      edges: lineage.edges.map((e) => ({ id: `${e.source}>${e.target}>${e.name}`, source: e.source, target: e.target, label: e.name })),
    }),
    [lineage, start],
  );
  return (
    <>
      {lineage.truncated ? <p className="truncated">truncated: more lineage lies beyond</p> : null}
      <Graph nodes={graph.nodes} edges={graph.edges} onNodeDoubleClick={onOpen} />
    </>
  );
}
