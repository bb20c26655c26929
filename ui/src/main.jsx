// The lineageql explorer. Each page has its own URL; the server answers deep links with
// this same page, and wouter picks the view.
import "@xyflow/react/dist/style.css";
import "./styles.css";
import { createRoot } from "react-dom/client";
import { Link, Route, Switch, useSearch } from "wouter";
import { ArtifactVersion } from "./pages/ArtifactVersion.jsx";
import { Compare } from "./pages/Compare.jsx";
import { Home } from "./pages/Home.jsx";
import { ModelPage, Models } from "./pages/Models.jsx";
import { ModelVersion } from "./pages/ModelVersion.jsx";
import { Pipeline } from "./pages/Pipeline.jsx";
import { Run } from "./pages/Run.jsx";

function CompareRoute() {
  const params = new URLSearchParams(useSearch());
  const ids = (params.get("runs") || "").split(",").filter(Boolean);
  return <Compare ids={ids} />;
}

function App() {
  return (
    <>
      <header>
        <Link href="/" className="brand">lineageql</Link>
        <nav>
          <Link href="/">Pipelines</Link>
          <Link href="/models">Models</Link>
          <a href="/graphql">GraphiQL</a>
        </nav>
      </header>
      <Switch>
        <Route path="/">{() => <Home />}</Route>
        <Route path="/pipelines/:name">{(p) => <Pipeline name={decodeURIComponent(p.name)} />}</Route>
        <Route path="/runs/:id">{(p) => <Run id={p.id} />}</Route>
        <Route path="/artifact-versions/:id">{(p) => <ArtifactVersion id={p.id} />}</Route>
        <Route path="/compare"><CompareRoute /></Route>
        <Route path="/models">{() => <Models />}</Route>
        <Route path="/models/:name">{(p) => <ModelPage name={decodeURIComponent(p.name)} />}</Route>
        <Route path="/models/:name/versions/:version">
          {(p) => <ModelVersion model={decodeURIComponent(p.name)} version={decodeURIComponent(p.version)} />}
        </Route>
        <Route><main><p className="error">No such page.</p></main></Route>
      </Switch>
    </>
  );
}

createRoot(document.getElementById("root")).render(<App />);
