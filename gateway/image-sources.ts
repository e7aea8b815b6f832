// Where the console may load the image of a read from. A camera sends `image` as a reference (docs/
// wire.md): a URL on its vendor's or the department's image host, or a key in an object store. The
// console shows it beside the hit, for the check "plate against the image" (§471.5(f)(1)), only from
// the hosts configured here: the page's Content-Security-Policy allows images from them and from
// nowhere else, so a reference cannot make dispatch consoles fetch from any address a camera names.
import { GatewayError } from './errors.js';

/** What the console is told (GET /api/me `images`) to turn a reference into an image address. */
export interface ImageSources {
  /** Origins (`https://images.example.org`) whose URLs are shown as they are. */
  origins: string[];
  /** An address with `{image}` where a key goes, or null: keys are then shown as text only. */
  urlTemplate: string | null;
}

export const IMAGE_KEY_PLACEHOLDER = '{image}';

/** Why `origin` is not an image origin (`https://host[:port]`, nothing after it), or null. */
export function imageOriginProblem(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `"${origin}" is not an address: give an origin such as https://images.example.org`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${origin}" is not an http(s) origin`;
  if (url.username !== '' || url.password !== '') return `"${origin}" carries a user name or password: the console would show it in every image address`;
  // The origin goes into the page's Content-Security-Policy: a ';' or ',' there would add rules of
  // its own (found by QA), and a wildcard would allow hosts the console never loads from.
  if (!PLAIN_HOST.test(url.hostname)) return `"${origin}" is not one host name or address (no wildcards, spaces, ';' or ','): list each image host`;
  if (`${url.origin}/` !== url.href) return `"${origin}" is not an origin alone (scheme, host and port; no path): use ${url.origin}`;
  return null;
}

/** A host name or an IP address, as the URL parser leaves it: nothing a policy would read as syntax. */
const PLAIN_HOST = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/;

/** Why `template` is not an image address template, or null. */
export function imageUrlTemplateProblem(template: string): string | null {
  const parts = template.split(IMAGE_KEY_PLACEHOLDER);
  if (parts.length !== 2) return `"${template}" must hold ${IMAGE_KEY_PLACEHOLDER} once, where the image's key goes (e.g. https://images.example.org/alpr/${IMAGE_KEY_PLACEHOLDER})`;
  let url: URL;
  let other: URL;
  try {
    url = new URL(template.replace(IMAGE_KEY_PLACEHOLDER, 'key'));
    other = new URL(template.replace(IMAGE_KEY_PLACEHOLDER, 'other'));
  } catch {
    return `"${template}" is not an address once ${IMAGE_KEY_PLACEHOLDER} is filled in`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${template}" is not an http(s) address`;
  if (url.username !== '' || url.password !== '') return `"${template}" carries a user name or password: the console would show it in every image address`;
  // The key must land in the path or query: in the host it could name any server.
  if (url.origin !== other.origin) return `"${template}": ${IMAGE_KEY_PLACEHOLDER} must come after the host, in the path or query`;
  const originProblem = imageOriginProblem(url.origin);
  if (originProblem !== null) return `"${template}": ${originProblem}`;
  return null;
}

/** The sources a console is told, from the gateway's settings: the template's origin is one of them. */
export function imageSources(origins: readonly string[], urlTemplate: string | undefined): ImageSources {
  for (const origin of origins) {
    const problem = imageOriginProblem(origin);
    if (problem !== null) throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.imageOrigins: ${problem}`);
  }
  const template = urlTemplate === undefined || urlTemplate === '' ? null : urlTemplate;
  if (template !== null) {
    const problem = imageUrlTemplateProblem(template);
    if (problem !== null) throw new GatewayError('GATEWAY_CONFIG_INVALID', `gateway.imageUrlTemplate: ${problem}`);
  }
  const all = [...origins.map((o) => new URL(o).origin), ...(template === null ? [] : [new URL(template.replace(IMAGE_KEY_PLACEHOLDER, 'key')).origin])];
  return { origins: [...new Set(all)], urlTemplate: template };
}
