// The RLHF simulation of /feedback, here inside the explainer.
export { mount } from '../widgets/rlhf.js';
