// "/": pipelines with their run count and last run, the latest runs, and a search box.
import { useEffect, useState } from "react";
import { Link } from "wouter";
import { graphql } from "../api.js";
import { Loaded, Status, useQuery, when } from "../common.jsx";

const HOME = `{
  pipelines(first: 100) { totalCount edges { node { name runCount
    lastRun { id name status created } } } }
  pipelineRuns(first: 20) { edges { node { id name status created pipeline { name } } } }
}`;

const SEARCH = `query($q: String!) {
  pipelines(first: 10, filter: {nameContains: $q}) { edges { node { name } } }
  pipelineRuns(first: 10, filter: {nameContains: $q}) { edges { node { id name status } } }
  artifacts(first: 10, filter: {nameContains: $q}) { edges { node { name
    latestVersion { id name version } } } }
  steps: pipelineRuns(first: 10, filter: {stepNameContains: $q}) { edges { node { id name
    steps { name stepName } } } }
}`;

export function Home() {
  const state = useQuery(HOME, {});
  return (
    <main>
      <h1>Pipelines</h1>
      <Search />
      <Loaded state={state}>
        {(data) => (
          <>
            <table className="list" id="pipelines">
              <thead>
                <tr><th>Pipeline</th><th>Runs</th><th>Last run</th><th>Status</th><th>Created</th></tr>
              </thead>
              <tbody>
                {data.pipelines.edges.map(({ node }) => (
                  <tr key={node.name}>
                    <td><Link href={`/pipelines/${encodeURIComponent(node.name)}`}>{node.name}</Link></td>
                    <td>{node.runCount}</td>
                    <td>{node.lastRun ? <Link href={`/runs/${node.lastRun.id}`}>{node.lastRun.name}</Link> : null}</td>
                    <td>{node.lastRun ? <Status status={node.lastRun.status} /> : null}</td>
                    <td>{node.lastRun ? when(node.lastRun.created) : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Recent runs</h2>
            <table className="list" id="recent-runs">
              <tbody>
                {data.pipelineRuns.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td><Link href={`/runs/${node.id}`}>{node.name}</Link></td>
                    <td>{node.pipeline.name}</td>
                    <td><Status status={node.status} /></td>
                    <td>{when(node.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </main>
  );
}

function Search() {
  const [text, setText] = useState("");
  const [found, setFound] = useState(null);
  useEffect(() => {
    if (!text.trim()) {
      setFound(null);
      return undefined;
    }
    const timer = setTimeout(() => {
      graphql(SEARCH, { q: text }).then(setFound, () => setFound(null));
    }, 150);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <div className="search">
      <input
        type="search"
        placeholder="Search pipelines, runs, steps and artifacts by any part of their name"
        aria-label="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {found ? (
        <ul className="search-results">
          {found.pipelines.edges.map(({ node }) => (
            <li key={`p-${node.name}`}>pipeline <Link href={`/pipelines/${encodeURIComponent(node.name)}`}>{node.name}</Link></li>
          ))}
          {found.pipelineRuns.edges.map(({ node }) => (
            <li key={`r-${node.id}`}>run <Link href={`/runs/${node.id}`}>{node.name}</Link> <Status status={node.status} /></li>
          ))}
          {found.steps.edges.flatMap(({ node }) =>
            node.steps
              .filter((step) => `${step.name} ${step.stepName}`.toLowerCase().includes(text.trim().toLowerCase()))
              .map((step) => (
                <li key={`s-${node.id}-${step.name}`}>
                  step {step.name} in <Link href={`/runs/${node.id}`}>{node.name}</Link>
                </li>
              )),
          )}
          {found.artifacts.edges.map(({ node }) => (
            <li key={`a-${node.name}`}>
              artifact {node.latestVersion ? (
                <Link href={`/artifact-versions/${node.latestVersion.id}`}>{node.name}</Link>
              ) : node.name}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
