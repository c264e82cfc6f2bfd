// The one place the front end makes elements, HTML and SVG alike. Values
// are set as attributes and text goes in as textContent, so nothing from
// the user or the server is ever parsed as markup.
//
//   el('p', { className: 'hint', 'data-testid': 'x', hidden: true }, parent, 'text')
//   svgEl('rect', { width: 40, height: 40, class: 't-wall' }, svg)

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Sets `attrs` on `node` (false, null and undefined leave one out, true
 * sets it empty; `className` is the class, `dataset` an object of data-*),
 * writes `text`, appends it to `parent` and returns it.
 */
function fill(node, attrs, parent, text) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'className') node.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  if (text !== null && text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

/** An HTML element. */
export const el = (tag, attrs = {}, parent = null, text = null) => fill(document.createElement(tag), attrs, parent, text);

/** An SVG element. */
export const svgEl = (name, attrs = {}, parent = null, text = null) =>
  fill(document.createElementNS(SVG_NS, name), attrs, parent, text);

/** The element of the page with this id. */
export const byId = (id) => document.getElementById(id);
