// The Constitutional AI simulation of /feedback, here inside the explainer.
export { mount } from '../widgets/cai.js';
