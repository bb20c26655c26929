// GraphiQL with its query explorer, served from the package: no request leaves the server.
// It fills the window below a bar that leads back to the explorer, and opens with a walk
// from a pipeline to its last run's outputs and their upstream lineage.
import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./graphiql-page.css";
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

const WALK = `# A pipeline's last run, its steps, their outputs and where those came from.
{
  pipelines(first: 5) {
    edges {
      node {
        name
        runCount
        lastRun {
          name
          status
          steps {
            name
            status
            outputs {
              name
              artifactVersion { name version upstream(depth: 3) { name version } }
            }
          }
        }
      }
    }
  }
}
`;

function Page() {
  return (
    <div className="graphiql-page">
      <nav className="graphiql-bar">
        <a href="/" id="back-to-explorer">← lineageql explorer</a>
        <a href="/models">Models</a>
        <span>The GraphQL API at /graphql: every field is documented in the Docs pane.</span>
      </nav>
      <div className="graphiql-body">
        <GraphiQL fetcher={fetcher} plugins={[explorer]} defaultQuery={WALK} defaultEditorToolsVisibility />
      </div>
    </div>
  );
}

createRoot(document.getElementById("graphiql")).render(<Page />);
