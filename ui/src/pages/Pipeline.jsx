// "/pipelines/<name>": its runs, newest first, paged, filtered by status; pick runs to compare.
import { useEffect, useState } from "react";
import { Link, useLocation } from "wouter";
import { subscribe } from "../api.js";
import { Loaded, Status, duration, useQuery, when } from "../common.jsx";

const RUNS = `query($name: String!, $first: Int!, $after: String, $status: ExecutionStatus) {
  pipeline(name: $name) { name runCount
    runs(first: $first, after: $after, status: $status) { totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name status created startTime endTime tags } } } }
}`;

const UPDATES = `subscription($name: String!) { pipelineRunUpdates(pipelineName: $name) { id status } }`;
const STATUSES = ["", "RUNNING", "COMPLETED", "FAILED", "CACHED", "INITIALIZED"];
const PAGE = 20;

export function Pipeline({ name }) {
  const [status, setStatus] = useState("");
  const [cursors, setCursors] = useState([null]);
  const [picked, setPicked] = useState([]);
  const [, navigate] = useLocation();
  const variables = { name, first: PAGE, after: cursors[cursors.length - 1], status: status || null };
  const state = useQuery(RUNS, variables);
  useEffect(() => subscribe(UPDATES, { name }, () => state.reload()), [name]);
  const [refused, setRefused] = useState(false);
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
      <div className="toolbar">
        <label>
          Status{" "}
          <select value={status} aria-label="status" onChange={(e) => { setStatus(e.target.value); setCursors([null]); }}>
            {STATUSES.map((s) => <option key={s} value={s}>{s || "any"}</option>)}
          </select>
        </label>
        <button
          type="button"
          id="compare"
          disabled={picked.length < 2}
          onClick={() => navigate(`/compare?runs=${picked.join(",")}`)}
        >
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
                  <tr><th></th><th>Run</th><th>Status</th><th>Created</th><th>Started</th><th>Duration</th><th>Tags</th></tr>
                </thead>
                <tbody>
                  {data.pipeline.runs.edges.map(({ node }) => (
                    <tr key={node.id} data-run-id={node.id}>
                      <td>
                        <input type="checkbox" aria-label={`pick ${node.name}`} checked={picked.includes(node.id)} onChange={() => toggle(node.id)} />
                      </td>
                      <td><Link href={`/runs/${node.id}`}>{node.name}</Link></td>
                      <td><Status status={node.status} /></td>
                      <td>{when(node.created)}</td>
                      <td>{when(node.startTime)}</td>
                      <td>{duration(node.startTime, node.endTime)}</td>
                      <td>{node.tags.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <span>{data.pipeline.runs.totalCount} runs</span>
                <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</button>
                <button
                  type="button"
                  disabled={!data.pipeline.runs.pageInfo.hasNextPage}
                  onClick={() => setCursors((c) => [...c, data.pipeline.runs.pageInfo.endCursor])}
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
