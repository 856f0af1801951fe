// ShareSync receive page: the files a person chose or dropped, each with the path it is sent
// under. A chosen folder (webkitdirectory) or a dropped one keeps its structure: "trip/day 1/
// photo.jpg" is saved in the same folders on the receiving computer.

export function filesFromInput(input) {
  return [...input.files].map((file) => ({
    file,
    path: file.webkitRelativePath || file.name,
  }));
}

function readAllEntries(reader) {
  return new Promise((resolve, reject) => {
    const entries = [];
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) {
        resolve(entries);
      } else {
        entries.push(...batch);
        next();
      }
    }, reject);
    next();
  });
}

async function filesFromEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: prefix + file.name });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry.createReader()))
      await filesFromEntry(child, `${prefix}${entry.name}/`, out);
  }
}

export async function filesFromDrop(dataTransfer) {
  // Entries must be taken while the drop event runs; the list is emptied afterwards.
  const entries = [];
  const plain = [];
  for (const item of dataTransfer.items ?? []) {
    if (item.kind !== 'file')
      continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry !== null)
      entries.push(entry);
    else if (item.getAsFile() !== null)
      plain.push(item.getAsFile());
  }
  if (entries.length === 0 && plain.length === 0)
    plain.push(...(dataTransfer.files ?? []));

  const out = plain.map((file) => ({ file, path: file.name }));
  for (const entry of entries) {
    try {
      await filesFromEntry(entry, '', out);
    } catch (error) {
      console.warn(`could not read ${entry.fullPath}: ${error?.message ?? error}`);
    }
  }
  return out;
}
