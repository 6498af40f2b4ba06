// Stylesheets mean nothing to jsdom; components get an empty module instead.
module.exports = {};
