DROP TABLE document_contents;
DROP TABLE documents;
DROP TABLE collections;
