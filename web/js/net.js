// net.js: the network and training panel: sizes, batch, learning rate,
// seed, T and recipe, applied as a new network.

import { $, P, on, message, start, paramsChanged } from './page.js';
import { checkNumber, RECIPES } from './params.js';

const FIELDS = ['hidden', 'input', 'batch', 'lr', 'seed', 'T'];

export function init() {
  // An empty learning-rate field is the recipe's own (lr 0).
  on('params', () => { for (const k of FIELDS) $(k).value = k === 'lr' && !P.lr ? '' : P[k]; $('recipe').value = P.recipe; });
  // A loaded network (gallery, file, API) shows its own sizes in the form,
  // so the fields describe what is drawn; Apply trains a new one from them.
  on('status', (msg) => { if (msg.source !== 'train' && msg.hidden) { $('hidden').value = msg.hidden; $('input').value = msg.input; } });
  $('apply').onclick = () => {
    for (const k of FIELDS) {
      const c = checkNumber(k, $(k).value);
      if (c.value !== undefined) P[k] = c.value;
      if (c.error) message(c.value !== undefined ? c.error : `${c.error}; kept ${P[k]}`);
    }
    if (RECIPES.includes($('recipe').value)) P.recipe = $('recipe').value;
    P.gallery = '';
    paramsChanged(); start();
  };
}
