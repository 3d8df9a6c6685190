/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Workspace packages ship TypeScript sources under the "source" condition; Next compiles them.
  transpilePackages: ['@kefu/protocol'],
  async headers() {
    return [
      // Shops embed /widget.js by this URL: a short cache, so updates reach them within minutes.
      { source: '/widget.js', headers: [{ key: 'Cache-Control', value: 'public, max-age=300' }] },
      // The frame's files are requested with ?v=<build hash>: cached for good.
      { source: '/widget/:file(frame\\.js|frame\\.css)', headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }] },
    ];
  },
};

export default nextConfig;
