// "/models": the registry, by name; "/models/<name>": a model's card and its versions,
// newest first, each with its stage and model artifact.
import { Link } from "wouter";
import { Loaded, Tags, VersionLink, shown, useQuery, when } from "../common.jsx";

const MODELS = `{ models(first: 100) { edges { node { id name license tags created
  latestVersion { number name }
  versions(first: 1, stage: PRODUCTION) { number name } } } } }`;

const MODEL = `query($name: String!) {
  model(name: $name) { id name description license audience useCases limitations tradeOffs
    ethics tags created
    versions(first: 100) { id number name stage created
      modelArtifact { id name version }
      runs { id name }
      runMetadata { key value } } }
}`;

export function modelVersionPath(model, version) {
  return `/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`;
}

export function Stage({ stage }) {
  return <span className={`stage stage-${stage.toLowerCase()}`}>{stage.toLowerCase()}</span>;
}

export function Models() {
  const state = useQuery(MODELS, {});
  return (
    <main>
      <h1>Models</h1>
      <Loaded state={state}>
        {(data) =>
          data.models.edges.length ? (
            <table className="list" id="models">
              <thead>
                <tr><th>Model</th><th>Latest version</th><th>In production</th><th>License</th><th>Tags</th><th>Created</th></tr>
              </thead>
              <tbody>
                {data.models.edges.map(({ node }) => (
                  <tr key={node.id} data-model={node.name}>
                    <td><Link href={`/models/${encodeURIComponent(node.name)}`}>{node.name}</Link></td>
                    <td>{node.latestVersion ? node.latestVersion.name : ""}</td>
                    <td className="production">
                      {node.versions.length ? (
                        <Link href={modelVersionPath(node.name, node.versions[0].number)}>version {node.versions[0].name}</Link>
                      ) : "none"}
                    </td>
                    <td>{node.license || ""}</td>
                    <td><Tags tags={node.tags} /></td>
                    <td>{when(node.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No models yet: give a pipeline <code>model=Model(name=...)</code>, or create one with the createModel mutation.</p>
          )
        }
      </Loaded>
    </main>
  );
}

const CARD = [
  ["description", "Description"], ["license", "License"], ["audience", "Audience"],
  ["useCases", "Use cases"], ["limitations", "Limitations"], ["tradeOffs", "Trade-offs"],
  ["ethics", "Ethics"],
];

export function ModelPage({ name }) {
  const state = useQuery(MODEL, { name });
  return (
    <main>
      <Loaded state={state}>
        {(data) =>
          !data.model ? (
            <p className="error">No model named {name}.</p>
          ) : (
            <>
              <h1>{data.model.name}</h1>
              <p className="facts">registered {when(data.model.created)} <Tags tags={data.model.tags} /></p>
              <table className="kv" id="model-card">
                <tbody>
                  {CARD.filter(([key]) => data.model[key]).map(([key, label]) => (
                    <tr key={key}><th>{label}</th><td>{data.model[key]}</td></tr>
                  ))}
                </tbody>
              </table>
              <h2>Versions</h2>
              <table className="list" id="model-versions">
                <thead>
                  <tr><th>Version</th><th>Stage</th><th>Model artifact</th><th>Runs</th><th>Metadata</th><th>Created</th></tr>
                </thead>
                <tbody>
                  {data.model.versions.map((v) => (
                    <tr key={v.id} data-version={v.number} data-stage={v.stage}>
                      <td><Link href={modelVersionPath(data.model.name, v.number)}>{v.name}</Link></td>
                      <td><Stage stage={v.stage} /></td>
                      <td>{v.modelArtifact ? <VersionLink version={v.modelArtifact} /> : ""}</td>
                      <td>{v.runs.map((r) => <Link key={r.id} href={`/runs/${r.id}`}>{r.name}</Link>)}</td>
                      <td>{v.runMetadata.map((m) => `${m.key}: ${shown(m.value)}`).join(", ")}</td>
                      <td>{when(v.created)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </Loaded>
    </main>
  );
}
