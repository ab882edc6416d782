#!/usr/bin/env python3
"""Writes the hostile upload fixtures beside this script (run once; the outputs are committed).

bomb.docx      a valid .docx whose document.xml inflates to 70 MiB (past Ingestion__MaxExpandedBytes, 64 MiB) from ~70 KB
xxe.docx       a .docx whose document.xml declares an external entity (file:///etc/passwd) and uses it
xxe.html       HTML with the same DOCTYPE and entity
corrupt.pdf    a PDF header followed by junk
corrupt.docx   a zip local-file header followed by junk
elf.pdf, elf.txt  a real x86-64 Linux executable (exit(0), 129 bytes) under document names
"""
import os, struct, zipfile, random

here = os.path.dirname(os.path.abspath(__file__))

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    '</Relationships>')
W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'

def docx(name, document):
    with zipfile.ZipFile(os.path.join(here, name), 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr('[Content_Types].xml', CONTENT_TYPES)
        z.writestr('_rels/.rels', RELS)
        z.writestr('word/document.xml', document)

# 70 MiB of one paragraph's text.
size = 70 * 1024 * 1024
head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'
tail = '</w:t></w:r></w:p></w:body></w:document>'
docx('bomb.docx', head + 'a' * (size - len(head) - len(tail)) + tail)

docx('xxe.docx', '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>'
    f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Secret: &xxe; &lol;</w:t></w:r></w:p></w:body></w:document>')

with open(os.path.join(here, 'xxe.html'), 'w') as f:
    f.write('<?xml version="1.0"?>\n<!DOCTYPE html [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n  <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;\n]>\n'
            '<html><head><title>XXE</title></head><body><h1>Report</h1><p>Secret: &xxe;</p><p>Herons at dawn.</p></body></html>\n')

rng = random.Random(14)
with open(os.path.join(here, 'corrupt.pdf'), 'wb') as f:
    f.write(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' + bytes(rng.randrange(256) for _ in range(4000)) + b'\ntrailer\n<< /Root 9 0 R >>\n%%EOF\n')
with open(os.path.join(here, 'corrupt.docx'), 'wb') as f:
    f.write(b'PK\x03\x04\x14\x00\x00\x00\x08\x00' + bytes(rng.randrange(256) for _ in range(4000)))

# A minimal x86-64 ELF executable: mov eax, 60; xor edi, edi; syscall (exit(0)).
code = bytes([0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05])
base, ehsize, phsize = 0x400000, 64, 56
entry = base + ehsize + phsize
total = ehsize + phsize + len(code)
elf = (b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
       + struct.pack('<HHIQQQIHHHHHH', 2, 0x3e, 1, entry, ehsize, 0, 0, ehsize, phsize, 1, 0, 0, 0)
       + struct.pack('<IIQQQQQQ', 1, 5, 0, base, base, total, total, 0x1000)
       + code)
for name in ('elf.pdf', 'elf.txt'):
    with open(os.path.join(here, name), 'wb') as f:
        f.write(elf)
