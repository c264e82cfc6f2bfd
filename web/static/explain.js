// The explainer page's widgets. Each `<div class="demo" data-widget="NAME">`
// is filled by `/static/explain/NAME.js`, whose `mount(container)` builds the
// controls and asks the server for numbers (POST /api/explain/NAME, or the
// runs/sweep/feedback APIs). Modules load when their box nears the screen, so
// the article paints at once and nothing is computed that nobody scrolls to.
// Each widget's styles are /static/explain/NAME.css, linked on mount.
// Each box keeps a fixed minimum height (style.css) so loading never shifts
// the text.

function mountOne(box) {
  if (box.dataset.mounted) return;
  box.dataset.mounted = 'loading';
  const name = box.dataset.widget;
  // Every widget has its own stylesheet beside its module. The widget is
  // built once both have arrived: built before its styles, it would be laid
  // out twice, and what it shows would jump.
  let styled = Promise.resolve();
  if (!document.querySelector(`link[data-widget-css="${name}"]`)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = `/static/explain/${name}.css`;
    link.dataset.widgetCss = name;
    styled = new Promise((done) => {
      link.addEventListener('load', done);
      // Without its styles a widget still works; it is not held back.
      link.addEventListener('error', done);
    });
    document.head.appendChild(link);
  }
  Promise.all([import(`./explain/${name}.js`), styled])
    .then(([mod]) => {
      box.replaceChildren();
      mod.mount(box);
      box.dataset.mounted = 'yes';
    })
    .catch((err) => {
      box.dataset.mounted = 'failed';
      const p = document.createElement('p');
      p.className = 'demo-error';
      p.setAttribute('role', 'alert');
      p.textContent = `This demonstration could not load: ${err.message}`;
      box.replaceChildren(p);
    });
}

const boxes = [...document.querySelectorAll('[data-widget]')];
if ('IntersectionObserver' in window) {
  const seen = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (e.isIntersecting) {
          seen.unobserve(e.target);
          mountOne(e.target);
        }
      }
    },
    { rootMargin: '800px 0px' },
  );
  for (const b of boxes) seen.observe(b);
} else {
  boxes.forEach(mountOne);
}
