// GraphiQL with its query explorer, served from the package: no request leaves the server.
import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";
import { token } from "./api.js";

const scheme = location.protocol === "https:" ? "wss" : "ws";
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  subscriptionUrl: `${scheme}://${location.host}/graphql`,
  headers: token() ? { Authorization: `Bearer ${token()}` } : {},
  wsConnectionParams: token() ? { Authorization: `Bearer ${token()}` } : {},
});
const explorer = explorerPlugin();

createRoot(document.getElementById("graphiql")).render(
  <GraphiQL fetcher={fetcher} plugins={[explorer]} defaultEditorToolsVisibility />,
);
