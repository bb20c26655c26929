// Graphs as DOM: React Flow draws each node as an HTML element carrying the node's name as
// text and its id as data-node-id; dagre lays them out left to right.
//
// A big graph stays readable: siblings fanned out from the same nodes (five or more of one
// kind) are drawn as one group node with their count and statuses, which opens on click;
// the view never zooms out below the size at which a node's label is still legible
// (MIN_ZOOM); a minimap shows where the view is and pans it; a search box marks the nodes
// whose names match (opening the groups that hold them) and centres the view on the first;
// selecting a node marks everything upstream and downstream of it; a legend says what the
// colours mean.
import dagre from "@dagrejs/dagre";
import {
  Background,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";

const NODE_WIDTH = 190;
const NODE_HEIGHT = 54;
/** The view never zooms out further: 12 px labels stay at least 10 px high on screen. */
export const MIN_ZOOM = 0.85;
/** Longer edge labels are shortened to fit between columns (the full name shows on hover). */
const EDGE_LABEL_CHARS = 16;

export function layout(nodes, edges) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 120 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  return nodes.map((node) => {
    const at = g.node(node.id);
    return { ...node, position: { x: at.x - NODE_WIDTH / 2, y: at.y - NODE_HEIGHT / 2 } };
  });
}

function GraphNode({ id, data }) {
  const classes = [
    "graph-node",
    data.kind || "",
    `status-${(data.status || "").toLowerCase()}`,
    data.highlight ? "highlight" : "",
    data.changed ? "changed" : "",
    data.traced ? "traced" : "",
    data.match ? "match" : "",
    data.onPath ? "on-path" : "",
    data.selected ? "selected" : "",
    data.dimmed ? "dimmed" : "",
    data.group ? "group" : "",
  ];
  return (
    <div
      className={classes.join(" ")}
      data-node-id={id}
      data-group-count={data.group ? data.group.count : undefined}
      title={data.title || data.label}
    >
      <Handle type="target" position={Position.Left} />
      <div className="graph-node-label">{data.label}</div>
      {data.detail ? <div className="graph-node-detail">{data.detail}</div> : null}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { lineage: GraphNode };

/** Ids reachable from ``start`` along ``next`` (a map of id to neighbour ids). */
function reach(start, next) {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) {
    for (const id of next.get(queue.shift()) || []) {
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(id);
      }
    }
  }
  return seen;
}

const GROUP_AT = 5;

/** Each node's sibling group: nodes of one kind fed by exactly the same nodes. */
function siblingKeys(nodes, edges) {
  const feeders = new Map();
  for (const e of edges) feeders.set(e.target, [...(feeders.get(e.target) || []), e.source]);
  const members = new Map();
  const keyOf = new Map();
  for (const n of nodes) {
    const from = feeders.get(n.id);
    if (!from) continue;
    const key = `${n.kind}|${[...new Set(from)].sort().join(",")}`;
    members.set(key, [...(members.get(key) || []), n]);
    keyOf.set(n.id, key);
  }
  for (const [id, key] of keyOf) if (members.get(key).length < GROUP_AT) keyOf.delete(id);
  return { keyOf, members };
}

function commonPrefix(labels) {
  let prefix = labels[0] || "";
  for (const label of labels) while (!label.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function groupNode(key, members) {
  const counts = new Map();
  for (const m of members) {
    const status = (m.status || "version").toLowerCase();
    counts.set(status, (counts.get(status) || 0) + 1);
  }
  const worst = ["FAILED", "RUNNING", "CACHED", "COMPLETED"].find((s) => members.some((m) => m.status === s));
  const prefix = commonPrefix(members.map((m) => m.label));
  return {
    id: `group:${key}`,
    label: `${prefix || members[0].label}… ×${members.length}`,
    kind: members[0].kind,
    status: worst,
    detail: [...counts].map(([status, count]) => `${count} ${status}`).join(" · "),
    group: { key, count: members.length },
    title: `${members.length} siblings: click to show them all`,
  };
}

/** The graph with every sibling group not in ``open`` drawn as one node. */
function collapse(nodes, edges, keyOf, members, open) {
  const into = new Map();
  const groups = new Map();
  for (const [id, key] of keyOf) {
    if (open.has(key)) continue;
    if (!groups.has(key)) groups.set(key, groupNode(key, members.get(key)));
    into.set(id, `group:${key}`);
  }
  if (!groups.size) return { nodes, edges };
  const merged = new Map();
  for (const e of edges) {
    const source = into.get(e.source) || e.source;
    const target = into.get(e.target) || e.target;
    const id = `${source}>${target}`;
    const labels = merged.get(id)?.labels || new Set();
    if (e.label) labels.add(e.label);
    merged.set(id, { id, source, target, labels });
  }
  return {
    nodes: [...nodes.filter((n) => !into.has(n.id)), ...groups.values()],
    edges: [...merged.values()].map(({ labels, ...e }) => ({
      ...e,
      label: labels.size > 2 ? `${labels.size} artifacts` : [...labels].join(", "),
    })),
  };
}

function shortLabel(label) {
  if (!label || label.length <= EDGE_LABEL_CHARS) return label;
  return `${label.slice(0, EDGE_LABEL_CHARS - 1)}…`;
}

const COLORS = { COMPLETED: "#12805c", FAILED: "#c4320a", RUNNING: "#b54708", CACHED: "#6941c6" };

function minimapColor(node) {
  if (node.data.match) return "#fdb022";
  return COLORS[node.data.status] || "#98a2b3";
}

const LEGEND = [
  ["status-completed", "completed"],
  ["status-failed", "failed"],
  ["status-running", "running"],
  ["status-cached", "cached (reused)"],
  ["version", "artifact version"],
];

function Legend() {
  return (
    <div className="graph-legend" aria-label="legend">
      {LEGEND.map(([kind, label]) => (
        <span key={kind} className={`legend-item ${kind}`}>{label}</span>
      ))}
    </div>
  );
}

// nodes: [{id, label, detail, kind, status, highlight, changed, traced}],
// edges: [{id, source, target, label}]
export function Graph(props) {
  return (
    <ReactFlowProvider>
      <FlowGraph {...props} />
    </ReactFlowProvider>
  );
}

/** Whether a node answers a search: its name holds the text, or the text is its status
 * ("failed", "cached", ...). */
function answers(node, wanted) {
  return (
    (node.label || "").toLowerCase().includes(wanted) || (node.status || "").toLowerCase() === wanted
  );
}

// ``selected`` and ``onSelect`` make the selected node the caller's (say, kept in the URL).
function FlowGraph({
  nodes: allNodes,
  edges: allEdges,
  onNodeClick,
  onNodeDoubleClick,
  focus,
  fitKey,
  selected: chosen,
  onSelect,
}) {
  const [query, setQuery] = useState("");
  const [own, setOwn] = useState(null);
  const selected = onSelect ? chosen || null : own;
  const setSelected = onSelect || setOwn;
  const [opened, setOpened] = useState(() => new Set());
  const flow = useReactFlow();
  const wanted = query.trim().toLowerCase();
  const { keyOf, members } = useMemo(() => siblingKeys(allNodes, allEdges), [allNodes, allEdges]);
  // Groups open on click, and while they hold a match, the focused node or the selected one.
  const open = useMemo(() => {
    const keys = new Set(opened);
    const held = wanted ? allNodes.filter((n) => answers(n, wanted)).map((n) => n.id) : [];
    for (const id of [...held, focus, selected]) if (keyOf.has(id)) keys.add(keyOf.get(id));
    return keys;
  }, [opened, wanted, allNodes, keyOf, focus, selected]);
  const { nodes, edges } = useMemo(
    () => collapse(allNodes, allEdges, keyOf, members, open),
    [allNodes, allEdges, keyOf, members, open],
  );
  const laid = useMemo(
    () =>
      layout(
        nodes.map((n) => ({ id: n.id, type: "lineage", data: n, position: { x: 0, y: 0 } })),
        edges,
      ),
    [nodes, edges],
  );
  const path = useMemo(() => {
    if (!selected) return null;
    const forward = new Map();
    const backward = new Map();
    for (const e of edges) {
      forward.set(e.source, [...(forward.get(e.source) || []), e.target]);
      backward.set(e.target, [...(backward.get(e.target) || []), e.source]);
    }
    return new Set([...reach(selected, forward), ...reach(selected, backward)]);
  }, [selected, edges]);
  const matches = useMemo(
    () => (wanted ? laid.filter((n) => answers(n.data, wanted)) : []),
    [laid, wanted],
  );
  const matched = useMemo(() => new Set(matches.map((n) => n.id)), [matches]);
  const shown = useMemo(
    () =>
      laid.map((n) => ({
        ...n,
        data: {
          ...n.data,
          match: matched.has(n.id),
          selected: n.id === selected,
          onPath: path ? path.has(n.id) && n.id !== selected : false,
          dimmed: path ? !path.has(n.id) : Boolean(wanted) && !matched.has(n.id),
        },
      })),
    [laid, matched, path, selected, wanted],
  );
  const flowEdges = useMemo(
    () =>
      edges.map((e) => ({
        ...e,
        label: e.label ? (
          <tspan className="edge-label" data-full={e.label}>
            <title>{e.label}</title>
            {shortLabel(e.label)}
          </tspan>
        ) : undefined,
        labelBgPadding: [4, 2],
        className: `graph-edge ${path && path.has(e.source) && path.has(e.target) ? "on-path" : ""}`,
      })),
    [edges, path],
  );
  const centre = (node) =>
    flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, {
      zoom: Math.max(flow.getZoom(), MIN_ZOOM),
      duration: 0,
    });
  // Where the view starts (and goes back to when fitKey changes): the whole graph when it
  // fits at a legible size, else centred on the focused node (or the first one).
  const box = useRef(null);
  useEffect(() => {
    requestAnimationFrame(() => {
      const frame = box.current;
      if (!frame || !laid.length) return;
      const xs = laid.map((n) => n.position.x);
      const ys = laid.map((n) => n.position.y);
      const width = Math.max(...xs) - Math.min(...xs) + NODE_WIDTH + 40;
      const height = Math.max(...ys) - Math.min(...ys) + NODE_HEIGHT + 40;
      const fits = Math.min(frame.clientWidth / width, frame.clientHeight / height) >= MIN_ZOOM;
      const target = (focus && laid.find((n) => n.id === focus)) || laid[0];
      if (fits) flow.fitView({ maxZoom: 1, minZoom: MIN_ZOOM });
      else centre(target);
    });
  }, [fitKey, focus, laid]);
  useEffect(() => {
    if (matches.length) centre(matches[0]);
  }, [wanted]);
  return (
    <div className="graph-frame">
      <div className="graph-tools">
        <input
          type="search"
          className="graph-search"
          aria-label="find in graph"
          placeholder="Find by name, or a status (failed, cached…)"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {wanted ? <span className="graph-matches" role="status">{matches.length} found</span> : null}
        {selected ? (
          <button type="button" className="link" onClick={() => setSelected(null)}>clear path</button>
        ) : null}
        <Legend />
      </div>
      <div className="graph" data-graph-nodes={allNodes.length} data-drawn-nodes={nodes.length} ref={box}>
        <ReactFlow
          nodes={shown}
          edges={flowEdges}
          nodeTypes={nodeTypes}
          onNodeClick={(_, node) => {
            if (node.data.group) {
              setOpened((now) => new Set([...now, node.data.group.key]));
              return;
            }
            setSelected(node.id);
            if (onNodeClick) onNodeClick(node.data);
          }}
          onNodeDoubleClick={(_, node) =>
            !node.data.group && onNodeDoubleClick && onNodeDoubleClick(node.data)
          }
          zoomOnDoubleClick={false}
          nodesDraggable={false}
          nodesConnectable={false}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          onlyRenderVisibleElements={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable ariaLabel="minimap" nodeColor={minimapColor} />
        </ReactFlow>
      </div>
    </div>
  );
}
