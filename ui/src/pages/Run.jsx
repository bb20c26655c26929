// "/runs/<id>": the run's steps as a DAG, edges labelled by the artifacts passing between
// them; a side panel with the picked step. Updates live while the run runs.
import { useEffect, useMemo, useState } from "react";
import { Link } from "wouter";
import { subscribe } from "../api.js";
import { KeyValues, Loaded, Metadata, Status, VersionLink, duration, useQuery, when } from "../common.jsx";
import { Graph } from "../graph.jsx";

const RUN = `query($id: ID!) {
  pipelineRun(id: $id) { id name status created startTime endTime gitSha tags config
    pipeline { name } runMetadata { key value type }
    steps { id name status startTime endTime cacheKey parameters settings errorMessage
      runMetadata { key value type }
      inputs { name artifactVersion { id name version } }
      outputs { name artifactVersion { id name version } } } }
}`;

const UPDATES = `subscription($id: ID!) { runUpdates(runId: $id) { status steps { id status } } }`;

export function stepGraph(steps) {
  const producer = new Map();
  for (const step of steps) for (const out of step.outputs) producer.set(out.artifactVersion.id, step.id);
  const nodes = steps.map((step) => ({
    id: step.id,
    label: step.name,
    kind: "step",
    status: step.status,
    detail: `${step.status.toLowerCase()}${step.status === "CACHED" ? " (reused)" : ""} ${duration(step.startTime, step.endTime)}`,
    title: step.errorMessage || step.name,
  }));
  // One edge per pair of steps, labelled by every artifact passing between them.
  const between = new Map();
  for (const step of steps) {
    for (const input of step.inputs) {
      const from = producer.get(input.artifactVersion.id);
      if (from && from !== step.id) {
        const key = `${from}>${step.id}`;
        const names = between.get(key) || new Set();
        names.add(input.artifactVersion.name);
        between.set(key, names);
      }
    }
  }
  const edges = [...between].map(([key, names]) => {
    const [source, target] = key.split(">");
    return { id: key, source, target, label: [...names].sort().join(", ") };
  });
  return { nodes, edges };
}

export function Run({ id }) {
  const state = useQuery(RUN, { id });
  const [picked, setPicked] = useState(null);
  useEffect(() => subscribe(UPDATES, { id }, () => state.reload()), [id]);
  return (
    <main className="with-panel">
      <Loaded state={state}>
        {(data) =>
          !data.pipelineRun ? (
            <p className="error">No run with id {id}.</p>
          ) : (
            <RunView run={data.pipelineRun} picked={picked} onPick={setPicked} />
          )
        }
      </Loaded>
    </main>
  );
}

function RunView({ run, picked, onPick }) {
  const graph = useMemo(() => stepGraph(run.steps), [run.steps]);
  const [focus, setFocus] = useState(null);
  const step = run.steps.find((s) => s.id === picked);
  return (
    <>
      <div className="content">
        <h1>
          {run.name} <Status status={run.status} />
        </h1>
        <p className="facts">
          pipeline <Link href={`/pipelines/${encodeURIComponent(run.pipeline.name)}`}>{run.pipeline.name}</Link>
          {" · "}created {when(run.created)}
          {run.startTime && run.endTime ? ` · took ${duration(run.startTime, run.endTime)}` : ""}
          {run.gitSha ? ` · git ${run.gitSha}` : ""}
        </p>
        <Graph nodes={graph.nodes} edges={graph.edges} focus={focus} onNodeClick={(node) => onPick(node.id)} />
        <ul className="failures">
          {run.steps.filter((s) => s.errorMessage).map((s) => (
            <li key={s.id} className="error">
              <button type="button" className="link" data-failed-step={s.id} onClick={() => { setFocus(s.id); onPick(s.id); }}>
                {s.name}
              </button>
              : {s.errorMessage}
            </li>
          ))}
        </ul>
        <Metadata entries={run.runMetadata} />
      </div>
      <aside className="panel" aria-label="step">
        {step ? <StepPanel step={step} /> : <p>Click a step to see its parameters, metadata, inputs and outputs.</p>}
      </aside>
    </>
  );
}

function StepPanel({ step }) {
  return (
    <>
      <h2>{step.name} <Status status={step.status} /></h2>
      {step.errorMessage ? <p className="error">{step.errorMessage}</p> : null}
      <KeyValues title="Parameters" values={step.parameters} />
      <KeyValues title="Settings" values={step.settings} />
      <Metadata entries={step.runMetadata} />
      <h3>Inputs</h3>
      <ul>{step.inputs.map((i) => <li key={i.name}>{i.name}: <VersionLink version={i.artifactVersion} /></li>)}</ul>
      <h3>Outputs</h3>
      <ul>{step.outputs.map((o) => <li key={o.name}>{o.name}: <VersionLink version={o.artifactVersion} /></li>)}</ul>
    </>
  );
}
