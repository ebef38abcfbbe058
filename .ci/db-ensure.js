// Creates the database named in MIGRATION_DATABASE_URL when it does not exist yet (idempotent).
const { Client } = require('pg');

async function main() {
  const target = new URL(process.env.MIGRATION_DATABASE_URL);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  console.error(`cannot prepare the database: ${e.message}`);
  process.exit(1);
});
