// The RLHF simulation of /feedback, here inside the explainer.
export { mount } from '/static/widgets/rlhf.js';
