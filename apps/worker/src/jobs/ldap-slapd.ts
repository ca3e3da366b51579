// A throwaway OpenLDAP server (Debian's slapd) for tests and benchmarks: a generated
// slapd.conf (schemas core, cosine, nis, inetorgperson; back_mdb) in a temporary directory,
// optionally bulk-loaded with slapadd, started in the foreground on a free loopback port and
// stopped (and its directory removed) by stop(). Not used by the worker in production.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "ldapts";

export const BASE_DN = "dc=example,dc=com";
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = "admin-secret";
/** A reader whose searches are limited to 5 entries (paged or not), to test size limits. */
export const LIMITED_DN = `cn=limited,${BASE_DN}`;
export const LIMITED_PASSWORD = "limited-secret";
const SLAPD = "/usr/sbin/slapd";

/** Servers started by this process and not yet stopped, with their directories. */
const running = new Map<ChildProcess, string>();
process.on("exit", () => {
  // Synchronous on purpose (nothing async runs in an `exit` handler): a test run that ends
  // without stopping its slapd, or dies of an error, leaves no server and no directory behind.
  for (const [child, dir] of running) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

export function slapdAvailable(): boolean {
  return spawnSync(SLAPD, ["-VV"], { stdio: "ignore" }).error === undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Slapd {
  url: string;
  port: number;
  /** An admin-bound client (close it with unbind()). */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

export interface LdapUserSpec {
  uid: string;
  mail: string;
  cn: string;
}
export interface LdapGroupSpec {
  cn: string;
  /** `groupOfNames` lists member DNs; `posixGroup` lists memberUid values. */
  shape: "groupOfNames" | "posixGroup";
  members: string[];
  gidNumber?: number;
}

export const userDn = (uid: string) => `uid=${uid},ou=people,${BASE_DN}`;
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${BASE_DN}`;

/** LDIF for the base entries, users and groups. */
export function ldif(users: LdapUserSpec[], groups: LdapGroupSpec[]): string {
  const out: string[] = [
    `dn: ${BASE_DN}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    `dn: ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${BASE_DN}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ${LIMITED_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: limited\nuserPassword: ${LIMITED_PASSWORD}\n`,
  ];
  for (const u of users) out.push(`dn: ${userDn(u.uid)}\nobjectClass: inetOrgPerson\nuid: ${u.uid}\ncn: ${u.cn}\nsn: ${u.cn.split(" ").pop() || u.uid}\nmail: ${u.mail}\n`);
  groups.forEach((g, i) => {
    if (g.shape === "groupOfNames") {
      // groupOfNames needs at least one member: the base DN stands in for an empty group.
      const members = g.members.length ? g.members.map((uid) => `member: ${userDn(uid)}`) : [`member: ${BASE_DN}`];
      out.push(`dn: ${groupDn(g.cn)}\nobjectClass: groupOfNames\ncn: ${g.cn}\n${members.join("\n")}\n`);
    } else {
      out.push(`dn: ${groupDn(g.cn)}\nobjectClass: posixGroup\ncn: ${g.cn}\ngidNumber: ${g.gidNumber ?? 10000 + i}\n${g.members.map((uid) => `memberUid: ${uid}\n`).join("")}`);
    }
  });
  return out.join("\n");
}

/** Start slapd on a free port, loaded with `initial` (LDIF, through slapadd) when given. */
export async function startSlapd(initial?: string): Promise<Slapd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lattice-slapd-"));
  const dbDir = path.join(dir, "db");
  mkdirSync(dbDir);
  const conf = path.join(dir, "slapd.conf");
  writeFileSync(
    conf,
    [
      "include /etc/ldap/schema/core.schema",
      "include /etc/ldap/schema/cosine.schema",
      "include /etc/ldap/schema/nis.schema",
      "include /etc/ldap/schema/inetorgperson.schema",
      `pidfile ${path.join(dir, "slapd.pid")}`,
      "modulepath /usr/lib/ldap",
      "moduleload back_mdb",
      "sizelimit 500",
      "database mdb",
      "maxsize 1073741824",
      `suffix "${BASE_DN}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${ADMIN_PASSWORD}`,
      `directory ${dbDir}`,
      `limits dn.exact="${LIMITED_DN}" size.soft=5 size.hard=5 size.prtotal=5`,
      "index objectClass eq",
      "index uid,cn,mail eq",
      "",
    ].join("\n"),
  );
  if (initial) {
    const file = path.join(dir, "initial.ldif");
    writeFileSync(file, initial);
    const r = spawnSync("/usr/sbin/slapadd", ["-q", "-f", conf, "-l", file], { encoding: "utf8" });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`slapadd failed: ${r.stderr || r.error?.message}`);
    }
  }
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0: stay in the foreground, so that this process owns slapd and can stop it.
  const child: ChildProcess = spawn(SLAPD, ["-d", "0", "-h", `${url}/`, "-f", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  running.set(child, dir);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    running.delete(child);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`slapd exited at start: ${stderr}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`slapd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    async admin() {
      const c = new Client({ url, timeout: 10_000 });
      await c.bind(ADMIN_DN, ADMIN_PASSWORD);
      return c;
    },
    stop,
  };
}
