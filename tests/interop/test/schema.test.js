'use strict';

// Compares the schema of our own protos/ (parsed with protobufjs) with the code generated into
// @hyperledger/fabric-protos: for every message and enum that exists in both, each of our fields must have the
// same number, type, cardinality and name as Fabric's, and each enum value the same number. Our files may
// define a subset of Fabric's fields.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

const PROTOS_DIR = path.resolve(__dirname, '..', '..', '..', 'protos');
const FABRIC_LIB = path.dirname(require.resolve('@hyperledger/fabric-protos'));

function listFiles(dir, suffix) {
    return fs.readdirSync(dir, { recursive: true })
        .filter((f) => f.endsWith(suffix))
        .map((f) => path.join(dir, f))
        .sort();
}

/** Our schema: { 'pkg.Msg': { fields: { num: {name, type, repeated} } } } and { 'pkg.Enum': { NAME: num } }. */
function loadOurs() {
    const root = new protobuf.Root();
    // google/protobuf/*.proto are built into protobufjs; everything else resolves against protos/.
    root.resolvePath = (_origin, target) => {
        if (target.startsWith('google/protobuf/')) {
            return null;
        }
        return path.isAbsolute(target) ? target : path.join(PROTOS_DIR, target);
    };
    root.loadSync(listFiles(PROTOS_DIR, '.proto'), { keepCase: true });
    root.resolveAll();
    const messages = {};
    const enums = {};
    (function walk(ns) {
        for (const o of ns.nestedArray) {
            const name = o.fullName.slice(1);
            if (o instanceof protobuf.Type) {
                const fields = {};
                for (const f of o.fieldsArray) {
                    let type = f.type;
                    if (f.resolvedType instanceof protobuf.Enum) {
                        type = 'enum';
                    } else if (f.resolvedType) {
                        type = f.resolvedType.fullName.slice(1);
                    }
                    fields[f.id] = { name: f.name, type: f.map ? `map<${f.keyType},${type}>` : type, repeated: f.repeated };
                }
                messages[name] = fields;
            } else if (o instanceof protobuf.Enum) {
                enums[name] = { ...o.values };
            }
            if (o.nestedArray) {
                walk(o);
            }
        }
    })(root);
    return { messages, enums };
}

/** Fabric's schema, read back from the google-protobuf generated deserializers and enum literals. */
function loadFabric() {
    const messages = {};
    const enums = {};
    const files = listFiles(FABRIC_LIB, '_pb.js').filter((f) => !f.endsWith('_grpc_pb.js'));
    for (const file of files) {
        const src = fs.readFileSync(file, 'utf8');
        const readers = /proto\.([\w.]+)\.deserializeBinaryFromReader = function\(msg, reader\) \{([\s\S]*?)\n\};/g;
        for (const [, name, body] of src.matchAll(readers)) {
            const fields = {};
            for (const c of body.split(/\n {4}case /).slice(1)) {
                const num = parseInt(c, 10);
                const setter = (c.match(/msg\.(?:set|add)(\w+)\(/) || c.match(/msg\.get(\w+?)Map\(/) || [])[1];
                const msgType = (c.match(/new proto\.([\w.]+)/) || c.match(/new (\w+_pb\.\w+)/) || [])[1];
                const scalars = [...c.matchAll(/read(?:Packed)?(\w+)\(|BinaryReader\.prototype\.read(\w+)/g)]
                    .map((m) => (m[1] || m[2]).toLowerCase())
                    .filter((t) => t !== 'message');
                let type;
                if (/jspb\.Map\.deserializeBinary/.test(c)) {
                    type = `map<${scalars[0]},${msgType || scalars[1]}>`;
                } else {
                    type = msgType || scalars[0];
                }
                if (!type) {
                    throw new Error(`cannot read the type of ${name} field ${num} in ${file}`);
                }
                // Messages from another generated file appear as <module>_pb.Name; keep the name.
                type = type.replace(/^google_protobuf_\w+_pb\./, 'google.protobuf.').replace(/^\w+_pb\./, '');
                fields[num] = { setter, type, repeated: /msg\.add\w+\(|readPacked/.test(c) };
            }
            messages[name] = fields;
        }
        for (const [, name, body] of src.matchAll(/\nproto\.([\w.]+) = \{([^{}]*?)\};/g)) {
            enums[name] = Object.fromEntries([...body.matchAll(/(\w+): (-?\d+)/g)].map((m) => [m[1], Number(m[2])]));
        }
    }
    return { messages, enums };
}

const norm = (t) => t.replace(/^map<(\w+),(?:[\w]+\.)*(\w+)>$/, 'map<$1,$2>').replace(/^(?:\w+\.)+/, '');
const camel = (s) => s.replace(/_/g, '').toLowerCase();

const ours = loadOurs();
const fabric = loadFabric();

test('every message we share with Fabric has Fabric\'s field numbers, types, cardinality and names', () => {
    const problems = [];
    let shared = 0;
    for (const [msg, fields] of Object.entries(ours.messages)) {
        const theirs = fabric.messages[msg];
        if (!theirs) {
            continue;
        }
        shared++;
        for (const [num, f] of Object.entries(fields)) {
            const t = theirs[num];
            if (!t) {
                problems.push(`${msg}.${f.name} = ${num}: Fabric has no field ${num}`);
                continue;
            }
            if (norm(f.type) !== norm(t.type)) {
                problems.push(`${msg}.${f.name} = ${num}: type ${f.type}, Fabric ${t.type}`);
            }
            if (!f.type.startsWith('map<') && f.repeated !== t.repeated) {
                problems.push(`${msg}.${f.name} = ${num}: repeated ${f.repeated}, Fabric ${t.repeated}`);
            }
            if (t.setter && camel(f.name) !== camel(t.setter) && `${camel(f.name)}list` !== camel(t.setter)) {
                problems.push(`${msg}.${f.name} = ${num}: Fabric calls it ${t.setter}`);
            }
        }
    }
    assert.deepEqual(problems, []);
    assert.ok(shared >= 100, `only ${shared} shared messages found; is the parser still matching fabric-protos?`);
});

test('every enum we share with Fabric has Fabric\'s values', () => {
    const problems = [];
    let shared = 0;
    for (const [name, values] of Object.entries(ours.enums)) {
        const theirs = fabric.enums[name];
        if (!theirs) {
            continue;
        }
        shared++;
        for (const [k, v] of Object.entries(values)) {
            if (theirs[k] !== v) {
                problems.push(`${name}.${k} = ${v}: Fabric ${theirs[k]}`);
            }
        }
    }
    assert.deepEqual(problems, []);
    assert.ok(shared >= 10, `only ${shared} shared enums found`);
});
