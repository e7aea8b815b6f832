import { describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../../gateway/console-files.js';
import { imageOriginProblem, imageSources, imageUrlTemplateProblem, resolveGatewayConfig } from '../../gateway/index.js';

describe('image sources', () => {
  it('take an origin alone, in any case and with its port, and refuse a path, credentials or another scheme', () => {
    for (const origin of ['https://images.example.org', 'https://images.example.org/', 'HTTPS://Images.Example.org', 'http://10.0.0.5:9000']) expect(imageOriginProblem(origin), origin).toBeNull();
    expect(imageOriginProblem('https://images.example.org/alpr')).toBe('"https://images.example.org/alpr" is not an origin alone (scheme, host and port; no path): use https://images.example.org');
    expect(imageOriginProblem('https://images.example.org?x=1')).toMatch(/is not an origin alone/);
    expect(imageOriginProblem('https://user:secret@images.example.org')).toMatch(/carries a user name or password/);
    expect(imageOriginProblem('ftp://images.example.org')).toBe('"ftp://images.example.org" is not an http(s) origin');
    expect(imageOriginProblem('images.example.org')).toMatch(/is not an address: give an origin such as https:\/\/images\.example\.org/);
    // It goes into the page's Content-Security-Policy: nothing that policy would read as syntax (QA).
    expect(imageOriginProblem('https://a.org;script-src')).toBe('"https://a.org;script-src" is not one host name or address (no wildcards, spaces, \';\' or \',\'): list each image host');
    expect(imageOriginProblem('https://*.example.org')).toMatch(/no wildcards/);
    expect(imageOriginProblem('http://[fd00::5]:9000')).toBeNull();
  });

  it('take a template with {image} once after the host, and refuse anything else', () => {
    expect(imageUrlTemplateProblem('https://store.example.org/alpr/{image}')).toBeNull();
    expect(imageUrlTemplateProblem('https://store.example.org/get?key={image}')).toBeNull();
    // Written as a person might: the host in capitals, the default port (QA: refused as "{image} must come after the host").
    expect(imageUrlTemplateProblem('https://Images.example.org/alpr/{image}')).toBeNull();
    expect(imageUrlTemplateProblem('https://images.example.org:443/alpr/{image}')).toBeNull();
    expect(imageUrlTemplateProblem('https://a.org;script-src/{image}')).toMatch(/is not one host name or address/);
    expect(imageUrlTemplateProblem('https://store.example.org/alpr/')).toMatch(/must hold \{image\} once/);
    expect(imageUrlTemplateProblem('https://store.example.org/{image}/{image}')).toMatch(/must hold \{image\} once/);
    expect(imageUrlTemplateProblem('https://{image}.example.org/')).toMatch(/\{image\} must come after the host, in the path or query/);
    expect(imageUrlTemplateProblem('https://store.example.org{image}')).toMatch(/\{image\} must come after the host/);
    expect(imageUrlTemplateProblem('https://u:p@store.example.org/{image}')).toMatch(/carries a user name or password/);
    expect(imageUrlTemplateProblem('file:///srv/{image}')).toMatch(/is not an http\(s\) address/);
  });

  it('tell the console the origins, the template’s among them once, and its policy allows images from those alone', () => {
    expect(imageSources([], undefined)).toEqual({ origins: [], urlTemplate: null });
    expect(imageSources([], '')).toEqual({ origins: [], urlTemplate: null });
    expect(imageSources(['https://A.example.org/', 'https://b.example.org'], 'https://b.example.org/alpr/{image}')).toEqual({
      origins: ['https://a.example.org', 'https://b.example.org'], urlTemplate: 'https://b.example.org/alpr/{image}',
    });
    expect(consoleContentSecurityPolicy()).toBe("default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    expect(consoleContentSecurityPolicy(['https://a.example.org', 'https://b.example.org'])).toContain("img-src 'self' data: https://a.example.org https://b.example.org;");
  });

  it('stop a gateway configured with a bad origin or template, naming the setting', () => {
    expect(() => resolveGatewayConfig({ imageOrigins: ['https://images.example.org/alpr'] })).toThrow(expect.objectContaining({ code: 'GATEWAY_CONFIG_INVALID', message: expect.stringMatching(/^gateway\.imageOrigins: /) }));
    expect(() => resolveGatewayConfig({ imageUrlTemplate: 'https://store.example.org/' })).toThrow(expect.objectContaining({ code: 'GATEWAY_CONFIG_INVALID', message: expect.stringMatching(/^gateway\.imageUrlTemplate: /) }));
    expect(resolveGatewayConfig({ imageOrigins: ['https://images.example.org'] }).imageOrigins).toEqual(['https://images.example.org']);
  });
});
