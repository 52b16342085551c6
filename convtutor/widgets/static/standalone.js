// Renders convtutor widgets from their saved state in a page with no kernel and no
// server (the static HTML edition, opened from disk). Each saved model carries its
// own ES module (`_esm`), its CSS and its arrays, as Jupyter saves them; the arrays sit
// in one pool for the page (`convtutor_pool`: each distinct buffer once, deflated,
// base64; a model's buffer names its index), see convtutor/widgets/_standalone.py.
//
//   <script type="application/vnd.jupyter.widget-state+json">{...}</script>
//   <div data-ct-model="MODEL_ID"></div>
//
// A model here keeps its state in the page: `set` and `save_changes` notify the
// module's own listeners, and nothing is sent anywhere.

function fromBase64(base64) {
  const bytes = atob(base64);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

/** The bytes of a pool entry: base64, inflated by the browser where deflated. */
async function inflate({ compression, data }) {
  const bytes = fromBase64(data);
  if (!compression) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(compression));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function pool(saved) {
  const entries = saved.convtutor_pool || [];
  const cache = new Map();
  return (i) => {
    if (!cache.has(i)) cache.set(i, inflate(entries[i]));
    return cache.get(i);
  };
}

async function putBuffers(state, buffers, fromPool) {
  for (const { path, data, pool: i } of buffers || []) {
    const bytes = i === undefined ? fromBase64(data) : await fromPool(i);
    let node = state;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return state;
}

export function makeModel(state) {
  const listeners = new Map();
  const emit = (event) => (listeners.get(event) || []).forEach((f) => f());
  return {
    get: (key) => state[key],
    set(key, value) {
      state[key] = value;
      emit(`change:${key}`);
      emit("change");
    },
    on(event, f) {
      for (const e of event.split(" ")) listeners.set(e, [...(listeners.get(e) || []), f]);
    },
    off(event, f) {
      if (!event) return listeners.clear();
      for (const e of event.split(" "))
        listeners.set(e, f ? (listeners.get(e) || []).filter((g) => g !== f) : []);
    },
    save_changes() {},
    // Nothing to send to: a message (a photo to load) needs Python behind the page.
    send() {
      state.error = state._meta.text.photo_needs_python;
      emit("change:error");
    },
  };
}

const modules = new Map();
const styled = new Set();

async function load(state) {
  const id = state._anywidget_id || state._esm;
  if (state._css && !styled.has(id)) {
    const style = document.createElement("style");
    style.textContent = state._css;
    document.head.append(style);
    styled.add(id);
  }
  if (!modules.has(id)) {
    const url = URL.createObjectURL(new Blob([state._esm], { type: "text/javascript" }));
    modules.set(id, import(url));
  }
  const mod = await modules.get(id);
  return mod.default || mod;
}

/**
 * A widget that cannot start shows its picture: the static edition keeps it in a
 * `<noscript>` (so a page that runs scripts never fetches it), read here as HTML.
 */
function showFallback(el) {
  for (const hidden of el.querySelectorAll("noscript")) {
    const template = document.createElement("template");
    template.innerHTML = hidden.textContent;
    hidden.replaceWith(template.content);
  }
}

/** Render every `[data-ct-model]` element of the page from the saved widget state. */
export async function renderAll(root = document) {
  const script = root.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  if (!script) return;
  const document_ = JSON.parse(script.textContent);
  const saved = document_.state;
  const fromPool = pool(document_);
  for (const el of root.querySelectorAll("[data-ct-model]")) {
    const entry = saved[el.dataset.ctModel];
    if (!entry || !entry.state._esm) continue;
    try {
      const state = await putBuffers(structuredClone(entry.state), entry.buffers, fromPool);
      const widget = await load(state);
      const model = makeModel(state);
      if (widget.initialize) await widget.initialize({ model });
      el.replaceChildren();
      await widget.render({ model, el });
      el.dataset.ctLive = "true";
    } catch (error) {
      el.dataset.ctLive = "error";
      showFallback(el);
      const note = document.createElement("p");
      note.className = "ct-error";
      // The words are Python's (meta.text); the reason is the browser's own.
      const words = entry.state._meta?.text?.not_started ?? "{reason}";
      note.textContent = words.replace("{reason}", () => String(error));
      el.append(note);
      console.error(error);
    }
  }
}
