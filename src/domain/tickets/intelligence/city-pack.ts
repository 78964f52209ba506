/**
 * City packs: per-deployment data for ticket intelligence — the city's districts (with aliases
 * and well-known towns/places), the handling units (with the names agents and callers use for
 * them), the category taxonomy, and the rules tying subcategories to handling units.
 *
 * A pack is JSON (see `city-packs/zhengzhou.json`), validated at load time; every problem is
 * reported at once in a `CityPackError` naming the JSON path.
 */
import { readFileSync } from 'node:fs';

/** A district, county-level city, county or development zone of the city. */
export interface DistrictEntry {
  /** Official name used in tickets, e.g. 郑州高新技术产业开发区. */
  readonly name: string;
  /** Names that always mean this district (高新区, 管城区 …). */
  readonly aliases: readonly string[];
  /** Short forms (金水, 二七 …) that count only when not part of a road/place name (金水路, 二七广场 …). */
  readonly shortAliases: readonly string[];
  /** Towns, sub-districts and landmarks inside the district (weaker evidence than a district name). */
  readonly places: readonly string[];
}

/** A handling unit (承办单位) and the names used for it in calls. */
export interface UnitEntry {
  readonly name: string;
  readonly aliases: readonly string[];
}

/** A subcategory and its dispatch rule. */
export interface SubcategoryEntry {
  readonly name: string;
  /** Handling units in order of responsibility: lead unit first, then co-handling units. */
  readonly units: readonly string[];
  /** Keywords that indicate this subcategory (rule evidence on top of the fitted model). */
  readonly keywords: readonly string[];
}

/** A top-level category. */
export interface CategoryEntry {
  readonly name: string;
  readonly subcategories: readonly SubcategoryEntry[];
}

/** The whole pack. */
export interface CityPack {
  readonly id: string;
  /** e.g. 郑州市 */
  readonly city: string;
  readonly province: string;
  /** Other names of the city itself (they never imply a district). */
  readonly cityAliases: readonly string[];
  /** Telephone area code with trunk prefix, e.g. "0371". */
  readonly areaCode: string;
  readonly districts: readonly DistrictEntry[];
  readonly units: readonly UnitEntry[];
  /** Unit used when nothing else applies (usually the district government). */
  readonly fallbackUnit: string;
  /** Subcategory to use for each emergency hazard kind (fire, gas, medical, crime). */
  readonly alertSubcategories: Readonly<Record<string, string>>;
  readonly categories: readonly CategoryEntry[];
}

/** Thrown when a city pack is malformed; `problems` lists every issue with its JSON path. */
export class CityPackError extends Error {
  override readonly name = 'CityPackError' as const;
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`invalid city pack ${source}:\n  - ${problems.join('\n  - ')}`);
  }
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validate parsed JSON as a city pack. Checks types, non-empty names, unique district/unit
 * names, that every unit referenced by a subcategory or as fallback exists, that alert
 * subcategories exist, and that subcategory names are unique across the taxonomy.
 * @throws CityPackError listing every problem found.
 */
export function validateCityPack(data: Json, source = '<inline>'): CityPack {
  const problems: string[] = [];
  const str = (v: Json, path: string): string => {
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${path}: expected a non-empty string`);
    return typeof v === 'string' ? v : '';
  };
  const strArray = (v: Json, path: string, optional = false): string[] => {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) {
      problems.push(`${path}: expected an array of strings`);
      return [];
    }
    return v.map((x, i) => str(x, `${path}[${i}]`));
  };
  if (!isObject(data)) throw new CityPackError(source, ['$: expected a JSON object']);

  const id = str(data.id, '$.id');
  const city = str(data.city, '$.city');
  const province = typeof data.province === 'string' ? data.province : '';
  const cityAliases = strArray(data.cityAliases, '$.cityAliases', true);
  const areaCode = str(data.areaCode, '$.areaCode');
  if (areaCode && !/^0\d{2,3}$/.test(areaCode)) problems.push('$.areaCode: expected 0 followed by 2–3 digits, e.g. "0371"');

  const districts: DistrictEntry[] = [];
  if (!Array.isArray(data.districts) || data.districts.length === 0) problems.push('$.districts: expected a non-empty array');
  else {
    data.districts.forEach((d, i) => {
      const path = `$.districts[${i}]`;
      if (!isObject(d)) return void problems.push(`${path}: expected an object`);
      const name = str(d.name, `${path}.name`);
      const aliases = strArray(d.aliases, `${path}.aliases`, true);
      districts.push({
        name, aliases: aliases.includes(name) ? aliases : [name, ...aliases],
        shortAliases: strArray(d.shortAliases, `${path}.shortAliases`, true),
        places: strArray(d.places, `${path}.places`, true),
      });
    });
  }
  const dupDistricts = duplicates(districts.map((d) => d.name));
  if (dupDistricts.length) problems.push(`$.districts: duplicate names ${dupDistricts.join(', ')}`);

  const units: UnitEntry[] = [];
  if (!Array.isArray(data.units) || data.units.length === 0) problems.push('$.units: expected a non-empty array');
  else {
    data.units.forEach((u, i) => {
      const path = `$.units[${i}]`;
      if (!isObject(u)) return void problems.push(`${path}: expected an object`);
      units.push({ name: str(u.name, `${path}.name`), aliases: strArray(u.aliases, `${path}.aliases`, true) });
    });
  }
  const unitNames = new Set(units.map((u) => u.name));
  const dupUnits = duplicates(units.map((u) => u.name));
  if (dupUnits.length) problems.push(`$.units: duplicate names ${dupUnits.join(', ')}`);
  const fallbackUnit = str(data.fallbackUnit, '$.fallbackUnit');
  if (fallbackUnit && !unitNames.has(fallbackUnit)) problems.push(`$.fallbackUnit: unknown unit "${fallbackUnit}"`);

  const categories: CategoryEntry[] = [];
  const subNames: string[] = [];
  if (!Array.isArray(data.categories) || data.categories.length === 0) problems.push('$.categories: expected a non-empty array');
  else {
    data.categories.forEach((c, i) => {
      const path = `$.categories[${i}]`;
      if (!isObject(c)) return void problems.push(`${path}: expected an object`);
      const name = str(c.name, `${path}.name`);
      const subcategories: SubcategoryEntry[] = [];
      if (!Array.isArray(c.subcategories) || c.subcategories.length === 0) problems.push(`${path}.subcategories: expected a non-empty array`);
      else {
        c.subcategories.forEach((s, j) => {
          const sp = `${path}.subcategories[${j}]`;
          if (!isObject(s)) return void problems.push(`${sp}: expected an object`);
          const sub: SubcategoryEntry = {
            name: str(s.name, `${sp}.name`), units: strArray(s.units, `${sp}.units`), keywords: strArray(s.keywords, `${sp}.keywords`, true),
          };
          if (sub.units.length === 0) problems.push(`${sp}.units: expected at least one unit`);
          sub.units.forEach((u, k) => { if (u && !unitNames.has(u)) problems.push(`${sp}.units[${k}]: unknown unit "${u}"`); });
          subNames.push(sub.name);
          subcategories.push(sub);
        });
      }
      categories.push({ name, subcategories });
    });
  }
  const dupSubs = duplicates(subNames);
  if (dupSubs.length) problems.push(`$.categories: duplicate subcategory names ${dupSubs.join(', ')}`);

  const alertSubcategories: Record<string, string> = {};
  if (data.alertSubcategories !== undefined) {
    if (!isObject(data.alertSubcategories)) problems.push('$.alertSubcategories: expected an object');
    else {
      for (const [kind, sub] of Object.entries(data.alertSubcategories)) {
        const name = str(sub, `$.alertSubcategories.${kind}`);
        if (name && !subNames.includes(name)) problems.push(`$.alertSubcategories.${kind}: unknown subcategory "${name}"`);
        alertSubcategories[kind] = name;
      }
    }
  }

  if (problems.length) throw new CityPackError(source, problems);
  return { id, city, province, cityAliases, areaCode, districts, units, fallbackUnit, alertSubcategories, categories };
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/**
 * Load and validate a city pack from a JSON file.
 * @throws CityPackError when the file is unreadable, not JSON, or not a valid pack.
 */
export function loadCityPack(path: string | URL): CityPack {
  const source = String(path);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CityPackError(source, [`cannot read file: ${(error as Error).message}`]);
  }
  let data: Json;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    throw new CityPackError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  return validateCityPack(data, source);
}

let zhengzhou: CityPack | undefined;

/** The bundled default pack for 郑州市 (loaded and validated once). */
export function defaultCityPack(): CityPack {
  zhengzhou ??= loadCityPack(new URL('./city-packs/zhengzhou.json', import.meta.url));
  return zhengzhou;
}

/** Lookup helpers derived from a pack. */
export interface CityPackIndex {
  readonly pack: CityPack;
  /** Subcategory name → its category name. */
  readonly categoryOf: ReadonlyMap<string, string>;
  /** Subcategory name → entry. */
  readonly subcategory: ReadonlyMap<string, SubcategoryEntry>;
  readonly unitNames: readonly string[];
}

const indexes = new WeakMap<CityPack, CityPackIndex>();

/** Build (once per pack object) the lookup index. */
export function indexCityPack(pack: CityPack): CityPackIndex {
  let index = indexes.get(pack);
  if (index) return index;
  const categoryOf = new Map<string, string>();
  const subcategory = new Map<string, SubcategoryEntry>();
  for (const c of pack.categories) {
    for (const s of c.subcategories) {
      categoryOf.set(s.name, c.name);
      subcategory.set(s.name, s);
    }
  }
  index = { pack, categoryOf, subcategory, unitNames: pack.units.map((u) => u.name) };
  indexes.set(pack, index);
  return index;
}
