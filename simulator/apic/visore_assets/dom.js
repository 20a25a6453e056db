// DOM builders: every value the APIC or the lab answers goes into the page as text (textContent, attribute
// values set through the DOM), never as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function setText(node, text) {
  node.textContent = text === null || text === undefined ? "" : String(text);
}

// The page's own links: a hash of URLSearchParams (#q=uni/tn-a&target=children), so following one never
// reloads the page.
export function hashOf(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined && value !== false) search.set(key, value === true ? "1" : value);
  }
  return "#" + search.toString();
}

export function link(text, params, attrs = {}) {
  return el("a", { href: hashOf(params), ...attrs }, text);
}

export function dnLink(dn, attrs = {}) {
  return link(dn, { q: dn }, { class: "dn", ...attrs });
}

export function classLink(name, attrs = {}) {
  return link(name, { q: name }, { class: "cls", ...attrs });
}
