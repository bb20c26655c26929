// The one way the UI talks to lineageql: its public GraphQL API, over HTTP and WebSocket.
import { createClient } from "graphql-ws";

const TOKEN_KEY = "lineageql.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export async function graphql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const answer = await response.json();
  if (answer.errors && answer.errors.length) {
    const [first] = answer.errors;
    throw new ApiError(first.message, first.extensions && first.extensions.code);
  }
  return answer.data;
}

let socket = null;

function client() {
  if (socket === null) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = createClient({
      url: `${scheme}://${location.host}/graphql`,
      connectionParams: () => (token() ? { Authorization: `Bearer ${token()}` } : {}),
      lazy: true,
      retryAttempts: 5,
    });
  }
  return socket;
}

// Calls onData with each update; returns a function that stops listening.
export function subscribe(query, variables, onData) {
  return client().subscribe(
    { query, variables },
    {
      next: (message) => message.data && onData(message.data),
      error: (error) => console.warn("live updates stopped:", error),
      complete: () => {},
    },
  );
}
