// The Constitutional AI simulation of /feedback, here inside the explainer.
export { mount } from '/static/widgets/cai.js';
