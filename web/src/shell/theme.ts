import { useEffect, useState } from 'preact/hooks';

/** The colour themes. */
export type Theme = 'dark' | 'light';

const KEY = 'vigil.theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The theme the user chose (saved), or null to follow the system. */
function savedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'dark' || t === 'light' ? t : null;
  } catch {
    return null;
  }
}

/** Sets `<html data-theme>` before the first paint (called from main). */
export function applyInitialTheme(): void {
  document.documentElement.dataset['theme'] = savedTheme() ?? (media().matches ? 'dark' : 'light');
}

/**
 * The current theme and a toggle: follows `prefers-color-scheme` until toggled, then keeps the
 * choice in localStorage.
 */
export function useTheme(): { theme: Theme; toggle(): void } {
  const [chosen, setChosen] = useState<Theme | null>(savedTheme);
  const [system, setSystem] = useState<Theme>(() => (media().matches ? 'dark' : 'light'));
  useEffect(() => {
    const m = media();
    const onChange = () => setSystem(m.matches ? 'dark' : 'light');
    m.addEventListener('change', onChange);
    return () => m.removeEventListener('change', onChange);
  }, []);
  const theme = chosen ?? system;
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);
  return {
    theme,
    toggle() {
      const next: Theme = theme === 'dark' ? 'light' : 'dark';
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // Private mode: the choice lasts for this page only.
      }
      // Applied at once (not after the next render) so styles and charts switch together.
      document.documentElement.dataset['theme'] = next;
      setChosen(next);
    },
  };
}
