// The APIC as any client reaches it: aaaLogin/aaaRefresh/aaaLogout, GETs of /api/mo and /api/class, the
// subscription websocket /socket<token> and subscriptionRefresh, and (for an admin) the lab's /_sim routes.
// The token is kept in memory only; the browser sends it back as the APIC-cookie cookie the login answer
// sets (as the APIC GUI does: a page's script may not write a Cookie header itself).

export class ApiError extends Error {
  constructor(status, text, code) {
    super(text);
    this.status = status;
    this.code = code;
  }
}

// A DN in a URL path: every character escaped but the slashes (the APIC percent-decodes the path, and a
// bracketed RN keeps its slashes, e.g. rsdomAtt-[uni/vmmp-Redhat/dom-rhv]).
export function dnPath(dn) {
  return encodeURIComponent(dn).replace(/%2F/g, "/");
}

async function envelope(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(response.status, `HTTP ${response.status}: the answer is not JSON`);
  }
  const first = (body.imdata || [])[0];
  if (first && first.error) {
    const attrs = first.error.attributes || {};
    throw new ApiError(response.status, attrs.text || `HTTP ${response.status}`, attrs.code);
  }
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
  return body;
}

export class Apic {
  constructor() {
    this.token = null;
    this.user = null;
    this.refreshSeconds = 600;
    this.socket = null;
    this.onEvent = () => {};
    this.onSocketState = () => {};
    this.onSessionLost = () => {};
    this._opened = null;
  }

  async login(user, password) {
    const body = { aaaUser: { attributes: { name: user, pwd: password } } };
    const answer = await envelope(await fetch("/api/aaaLogin.json", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }));
    this._takeSession(answer);
    this.user = user;
    return answer;
  }

  _takeSession(answer) {
    const attrs = answer.imdata[0].aaaLogin.attributes;
    const changed = this.token !== null && this.token !== attrs.token;
    this.token = attrs.token;
    this.refreshSeconds = Number(attrs.refreshTimeoutSeconds) || 600;
    return changed;
  }

  // aaaRefresh: the session lives on; true when the APIC answered another token (the socket follows it).
  async refresh() {
    const answer = await this._guarded(() => fetch("/api/aaaRefresh.json", { credentials: "same-origin" }));
    return this._takeSession(answer);
  }

  async logout() {
    const user = this.user;
    this.closeSocket();
    this.token = null;
    this.user = null;
    try {
      await fetch("/api/aaaLogout.json", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ aaaUser: { attributes: { name: user } } }),
      });
    } catch {
      // the session is forgotten here whatever the APIC answers
    }
  }

  async _guarded(call) {
    try {
      return await envelope(await call());
    } catch (err) {
      if (err instanceof ApiError && err.status === 403 && /token|webtoken/i.test(err.message)) {
        this.token = null;
        this.closeSocket();
        this.onSessionLost(err);
      }
      throw err;
    }
  }

  // GET /api/<path>.json?<params>: {url, imdata, totalCount, subscriptionId}
  async get(path, params = {}) {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined));
    const url = `/api/${path}.json${query.toString() ? "?" + query.toString() : ""}`;
    const body = await this._guarded(() => fetch(url, { credentials: "same-origin" }));
    return { url, imdata: body.imdata || [], totalCount: body.totalCount, subscriptionId: body.subscriptionId || null };
  }

  mo(dn, params = {}) {
    return this.get(`mo/${dnPath(dn)}`, params);
  }

  cls(name, params = {}) {
    return this.get(`class/${encodeURIComponent(name)}`, params);
  }

  refreshSubscription(id) {
    return this._guarded(() => fetch(`/api/subscriptionRefresh.json?id=${encodeURIComponent(id)}`,
                                     { credentials: "same-origin" }));
  }

  // The event websocket of this session; resolves once open (a subscription's events reach only an open socket).
  openSocket() {
    if (this.socket && this._opened) return this._opened;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(`${scheme}${location.host}/socket${this.token}`);
    this.socket = socket;
    this.onSocketState("connecting");
    this._opened = new Promise((resolve, reject) => {
      socket.addEventListener("open", () => { this.onSocketState("open"); resolve(socket); });
      socket.addEventListener("error", () => reject(new ApiError(0, "the event websocket could not be opened")));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // the APIC sends only JSON; anything else is not an event
      }
      this.onEvent(message);
    });
    socket.addEventListener("close", () => {
      if (this.socket === socket) { // closed by the APIC or the network, not by closeSocket()
        this.socket = null;
        this._opened = null;
        this.onSocketState("dropped");
      }
    });
    return this._opened;
  }

  closeSocket() {
    const socket = this.socket;
    this.socket = null;
    this._opened = null;
    if (socket) socket.close();
    this.onSocketState("closed");
  }

  // The lab's control API: JSON, admin only; {status, body} (a refusal is an answer, not an exception).
  // A POST carries no body (the routes the page posts to take none).
  async control(path, method = "GET") {
    const response = await fetch(`/_sim/${path}`, { method, credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { status: response.status, body };
  }
}
