// The page of both feedback simulations: mounts each widget in its place.

import { mount as mountCai } from './cai.js';
import { mount as mountRlhf } from './rlhf.js';

mountRlhf(document.getElementById('rlhf-widget'));
mountCai(document.getElementById('cai-widget'));
