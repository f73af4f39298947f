// n8n loads the package through the `n8n` attribute in package.json; nothing to export here.
module.exports = {};
