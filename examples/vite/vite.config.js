// Vite needs one setting for harmony-policy: keep it out of dependency
// pre-bundling, so that its .wasm stays beside its JavaScript in the dev
// server. Builds need nothing.
export default {
  optimizeDeps: { exclude: ["harmony-policy"] },
};
