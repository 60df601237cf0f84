/**
 * A tiny element builder: the dashboard is small enough that plain DOM calls
 * stay readable, and it keeps the bundle free of a framework.
 *
 * @module
 */

/** Something that can be a child: falsy values are skipped so `cond && h(...)` reads naturally. */
export type Child = Node | string | number | null | undefined | false;

type Listener = (event: Event) => void;
/** Attributes; `on<event>` keys take listeners, `true` sets a boolean attribute, falsy values are left out. */
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

/** Appends children, skipping falsy ones. */
export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: (Child | Child[])[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

let idCounter = 0;
/** A document-unique id, for label/help/error associations. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
