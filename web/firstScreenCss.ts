import { createHash } from 'node:crypto';
import { createServer, type Plugin } from 'vite';

/** The module that draws the first screen in Node and returns its antd styles. */
const SHEET_MODULE = '/src/firstScreenStyles.tsx';

/**
 * Extracts antd's styles for the task list's first screen at build time into
 * `assets/first-screen-<hash>.css`, linked first in index.html (before the console's own CSS, which
 * overrides some of them). The browser then skips generating those styles on first render.
 */
export function firstScreenCss(): Plugin {
  let href = '';
  return {
    name: 'sundial-first-screen-css',
    apply: 'build',
    async buildStart() {
      // antd names its classes differently outside production builds ("css-dev-only-…").
      if (process.env.NODE_ENV !== 'production') this.error(`NODE_ENV is ${process.env.NODE_ENV}, not production`);
      const server = await createServer({
        configFile: false,
        root: import.meta.dirname,
        logLevel: 'error',
        server: { middlewareMode: true, hmr: false, ws: false },
        appType: 'custom',
        // Node loads the dependencies itself; no pre-bundling scan of the app.
        optimizeDeps: { noDiscovery: true, include: [] },
      });
      try {
        const { firstScreenStyles } = (await server.ssrLoadModule(SHEET_MODULE)) as { firstScreenStyles: () => string };
        const css = firstScreenStyles();
        const fileName = `assets/first-screen-${createHash('sha256').update(css).digest('hex').slice(0, 8)}.css`;
        this.emitFile({ type: 'asset', fileName, source: css });
        href = `/${fileName}`;
      } finally {
        await server.close();
      }
    },
    transformIndexHtml() {
      return [{ tag: 'link', attrs: { rel: 'stylesheet', href }, injectTo: 'head-prepend' }];
    },
  };
}
