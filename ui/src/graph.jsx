// Graphs as DOM: React Flow draws each node as an HTML element carrying the node's name as
// text and its id as data-node-id; dagre lays them out left to right.
import dagre from "@dagrejs/dagre";
import { Handle, Position, ReactFlow, Background, Controls } from "@xyflow/react";
import { useMemo } from "react";

const NODE_WIDTH = 190;
const NODE_HEIGHT = 54;

export function layout(nodes, edges) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 70 });
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
  return (
    <div
      className={`graph-node ${data.kind || ""} status-${(data.status || "").toLowerCase()} ${
        data.highlight ? "highlight" : ""
      } ${data.changed ? "changed" : ""} ${data.traced ? "traced" : ""}`}
      data-node-id={id}
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

// nodes: [{id, label, detail, kind, status, highlight, changed, traced}],
// edges: [{id, source, target, label}]
export function Graph({ nodes, edges, onNodeClick, onNodeDoubleClick }) {
  const laid = useMemo(
    () =>
      layout(
        nodes.map((n) => ({ id: n.id, type: "lineage", data: n, position: { x: 0, y: 0 } })),
        edges,
      ),
    [nodes, edges],
  );
  const flowEdges = useMemo(
    () => edges.map((e) => ({ ...e, labelBgPadding: [4, 2], className: "graph-edge" })),
    [edges],
  );
  return (
    <div className="graph" data-graph-nodes={nodes.length}>
      <ReactFlow
        nodes={laid}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        onNodeClick={(_, node) => onNodeClick && onNodeClick(node.data)}
        onNodeDoubleClick={(_, node) => onNodeDoubleClick && onNodeDoubleClick(node.data)}
        zoomOnDoubleClick={false}
        nodesDraggable={false}
        nodesConnectable={false}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.05}
        onlyRenderVisibleElements={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
