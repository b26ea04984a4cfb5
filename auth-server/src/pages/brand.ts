import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** What the pages show of the operator: the product name, an accent colour, a logo. */
export interface Brand {
  name: string;
  /** `#rrggbb`, the light scheme's buttons and links (white text on it reaches 4.5:1). */
  color?: string;
  /** The logo, served from our own origin at /static/brand-logo. */
  logo?: { bytes: Buffer; type: string };
}

const LOGO_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
};
const MAX_LOGO_BYTES = 256 * 1024;

/** The WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * Why BRAND_COLOR cannot be used, or undefined: it must be `#rrggbb` and carry white text (and
 * stand on the white card) at WCAG AA's 4.5:1.
 */
export function brandColorProblem(color: string): string | undefined {
  if (!/^#[0-9a-f]{6}$/i.test(color)) return `must be a colour as #rrggbb, got '${color}'`;
  const ratio = contrastRatio(color, '#ffffff');
  if (ratio < 4.5) {
    return `must contrast at least 4.5:1 with white (WCAG AA), '${color}' reaches ${ratio.toFixed(2)}:1: choose a darker colour`;
  }
  return undefined;
}

/** Why BRAND_LOGO_FILE cannot be used, or undefined. */
export function brandLogoProblem(file: string): string | undefined {
  if (!LOGO_TYPES[extname(file).toLowerCase()]) return `must be an .svg, .png or .webp file, got '${file}'`;
  try {
    const size = readFileSync(file).length;
    if (size > MAX_LOGO_BYTES)
      return `must be at most ${MAX_LOGO_BYTES / 1024} KiB, '${file}' has ${size} bytes`;
  } catch {
    return `must be a readable file, '${file}' cannot be read`;
  }
  return undefined;
}

/** The brand from validated settings (the logo read once, at boot). */
export function loadBrand(settings: { name: string; color?: string; logoFile?: string }): Brand {
  const { name, color, logoFile } = settings;
  const logo = logoFile
    ? { bytes: readFileSync(logoFile), type: LOGO_TYPES[extname(logoFile).toLowerCase()] as string }
    : undefined;
  return { name, ...(color ? { color } : {}), ...(logo ? { logo } : {}) };
}

/** The stylesheet that applies the brand colour (served at /static/brand.css: no inline style). */
export function brandStylesheet(brand: Brand): string {
  return brand.color ? `@media (prefers-color-scheme: light) { :root { --accent: ${brand.color}; } }\n` : '';
}
