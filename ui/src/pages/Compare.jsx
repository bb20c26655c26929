// "/compare?runs=a,b,...": up to 20 runs' metadata and parameters side by side (metadata
// first), the values that differ highlighted (or alone, with "only differences"), each
// number's change from the run before it, and a chart per numeric metadata key.
import { Chart, registerables } from "chart.js";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link } from "wouter";
import { Loaded, shown, useQuery } from "../common.jsx";

Chart.register(...registerables);

const COMPARE = `query($ids: [ID!]!) {
  compareRuns(ids: $ids) {
    runs { id name status steps { name parameters } }
    rows { key cells { runId value change } }
  }
}`;

export function Compare({ ids }) {
  const state = useQuery(COMPARE, { ids });
  return (
    <main>
      <h1>Compare runs</h1>
      <Loaded state={state}>{(data) => <Table comparison={data.compareRuns} />}</Loaded>
    </main>
  );
}

function parameterRows(runs) {
  const keys = new Set();
  const values = runs.map((run) => {
    const row = {};
    for (const step of run.steps) {
      for (const [key, value] of Object.entries(step.parameters || {})) {
        row[`${step.name}.${key}`] = value;
        keys.add(`${step.name}.${key}`);
      }
    }
    return row;
  });
  return [...keys].sort().map((key) => ({ key, values: values.map((row) => row[key]) }));
}

function differs(values) {
  return new Set(values.map((v) => JSON.stringify(v === undefined ? null : v))).size > 1;
}

function Table({ comparison }) {
  const { runs, rows } = comparison;
  const parameters = useMemo(() => parameterRows(runs), [runs]);
  const metadata = rows.map((row) => ({
    key: row.key,
    values: runs.map((run) => {
      const cell = row.cells.find((c) => c.runId === run.id);
      return cell ? cell.value : null;
    }),
  }));
  const changes = rows.map((row) =>
    runs.map((run) => {
      const cell = row.cells.find((c) => c.runId === run.id);
      return cell ? cell.change : null;
    }),
  );
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const keep = (row) => !onlyDifferences || differs(row.values);
  const numeric = metadata.filter((row) => row.values.some((v) => typeof v === "number"));
  return (
    <>
      <label className="toolbar">
        <input type="checkbox" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} />
        only differences
      </label>
      <table className="compare" id="comparison">
        <thead>
          <tr>
            <th></th>
            {runs.map((run) => <th key={run.id}><Link href={`/runs/${run.id}`}>{run.name}</Link></th>)}
          </tr>
        </thead>
        <tbody>
          <tr className="section"><th colSpan={runs.length + 1}>Metadata</th></tr>
          {metadata.map((row, index) =>
            keep(row) ? <Row key={`m-${row.key}`} row={row} changes={changes[index]} /> : null,
          )}
          <tr className="section"><th colSpan={runs.length + 1}>Parameters</th></tr>
          {parameters.map((row) => (keep(row) ? <Row key={`p-${row.key}`} row={row} /> : null))}
        </tbody>
      </table>
      <div className="charts">
        {numeric.map((row) => <KeyChart key={row.key} row={row} runs={runs} />)}
      </div>
    </>
  );
}

function Row({ row, changes }) {
  const changed = differs(row.values);
  return (
    <tr className={changed ? "changed" : ""} data-key={row.key}>
      <th>{row.key}</th>
      {row.values.map((value, index) => (
        <td key={index}>
          {shown(value)}
          {changes && changes[index] !== null && changes[index] !== undefined ? (
            <span className="change" data-change={changes[index]}>
              {" "}({changes[index] >= 0 ? "+" : ""}{Number(changes[index].toPrecision(4))})
            </span>
          ) : null}
        </td>
      ))}
    </tr>
  );
}

function KeyChart({ row, runs }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      type: "line",
      data: {
        labels: runs.map((run) => run.name),
        datasets: [{ label: row.key, data: row.values.map((v) => (typeof v === "number" ? v : null)) }],
      },
      options: {
        animation: false,
        responsive: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 30 } } },
      },
    });
    return () => chart.destroy();
  }, [row, runs]);
  return (
    <figure className="chart" data-chart-key={row.key}>
      <figcaption>{row.key}</figcaption>
      <canvas ref={canvas} width="640" height="320" role="img" aria-label={`${row.key} across the runs`} />
    </figure>
  );
}
