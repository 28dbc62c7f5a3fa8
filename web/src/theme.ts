import type { ThemeConfig } from 'antd';

/** antd's theme for the whole console; the build's first-screen style sheet is drawn with it too. */
export const THEME: ThemeConfig = { token: { colorPrimary: '#1677ff' } };

/** ProLayout's own tokens (a white header). */
export const LAYOUT_TOKEN = { header: { colorBgHeader: '#fff' } };
