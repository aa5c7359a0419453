-- The schema SQLModel.metadata.create_all made before migrations existed (commit 67e4f3e), for
-- tests/app/shop/test_migrations.py: a database file of that version, to be upgraded.
CREATE TABLE customer (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	phone VARCHAR NOT NULL, 
	address VARCHAR NOT NULL, 
	loyalty_tier VARCHAR NOT NULL, 
	loyalty_points INTEGER NOT NULL, 
	joined_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE product (
	sku VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	category VARCHAR NOT NULL, 
	price FLOAT NOT NULL, 
	warranty_months INTEGER NOT NULL, 
	final_sale BOOLEAN NOT NULL, 
	description VARCHAR NOT NULL, 
	PRIMARY KEY (sku)
);
CREATE TABLE idempotent_result (
	"key" VARCHAR NOT NULL, 
	result JSON, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE approval (
	id VARCHAR NOT NULL, 
	conversation_id VARCHAR NOT NULL, 
	customer_id VARCHAR NOT NULL, 
	request JSON, 
	status VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	deadline_at DATETIME NOT NULL, 
	decided_at DATETIME, 
	decided_by VARCHAR, 
	reply VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_approval_conversation_id ON approval (conversation_id);
CREATE TABLE takeover (
	conversation_id VARCHAR NOT NULL, 
	"by" VARCHAR NOT NULL, 
	since DATETIME NOT NULL, 
	PRIMARY KEY (conversation_id)
);
CREATE TABLE conversation_vault (
	conversation_id VARCHAR NOT NULL, 
	entries JSON, 
	PRIMARY KEY (conversation_id)
);
CREATE TABLE request_record (
	id VARCHAR NOT NULL, 
	conversation_id VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	flags_key VARCHAR NOT NULL, 
	outcome VARCHAR NOT NULL, 
	data JSON, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_request_record_conversation_id ON request_record (conversation_id);
CREATE INDEX ix_request_record_created_at ON request_record (created_at);
CREATE INDEX ix_request_record_flags_key ON request_record (flags_key);
CREATE TABLE run (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	dataset VARCHAR NOT NULL, 
	dataset_hash VARCHAR NOT NULL, 
	code_version VARCHAR NOT NULL, 
	flags JSON, 
	prompt_versions JSON, 
	summary JSON, 
	cases JSON, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_run_name ON run (name);
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE spend_window (
	"key" VARCHAR NOT NULL, 
	tokens INTEGER NOT NULL, 
	micro_usd INTEGER NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE orders (
	id VARCHAR NOT NULL, 
	customer_id VARCHAR NOT NULL, 
	placed_at DATETIME NOT NULL, 
	status VARCHAR NOT NULL, 
	shipping_method VARCHAR NOT NULL, 
	carrier VARCHAR, 
	tracking_number VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
CREATE TABLE conversation (
	id VARCHAR NOT NULL, 
	customer_id VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	title VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_conversation_customer_id ON conversation (customer_id);
CREATE TABLE ticket (
	id VARCHAR NOT NULL, 
	customer_id VARCHAR NOT NULL, 
	conversation_id VARCHAR, 
	reason VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_ticket_customer_id ON ticket (customer_id);
CREATE TABLE orderitem (
	id INTEGER NOT NULL, 
	order_id VARCHAR NOT NULL, 
	sku VARCHAR NOT NULL, 
	qty INTEGER NOT NULL, 
	unit_price FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(order_id) REFERENCES orders (id), 
	FOREIGN KEY(sku) REFERENCES product (sku)
);
CREATE INDEX ix_orderitem_order_id ON orderitem (order_id);
CREATE TABLE trackingevent (
	id INTEGER NOT NULL, 
	order_id VARCHAR NOT NULL, 
	at DATETIME NOT NULL, 
	status VARCHAR NOT NULL, 
	location VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
CREATE INDEX ix_trackingevent_order_id ON trackingevent (order_id);
CREATE TABLE refund (
	id INTEGER NOT NULL, 
	order_id VARCHAR NOT NULL, 
	amount FLOAT NOT NULL, 
	status VARCHAR NOT NULL, 
	requested_at DATETIME NOT NULL, 
	completed_at DATETIME, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
CREATE INDEX ix_refund_order_id ON refund (order_id);
CREATE TABLE refund_ledger (
	order_id VARCHAR NOT NULL, 
	refundable_cents INTEGER NOT NULL, 
	refunded_cents INTEGER NOT NULL, 
	PRIMARY KEY (order_id), 
	CONSTRAINT refunds_within_total CHECK (refunded_cents BETWEEN 0 AND refundable_cents), 
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
CREATE TABLE address_change (
	id INTEGER NOT NULL, 
	order_id VARCHAR NOT NULL, 
	address VARCHAR NOT NULL, 
	changed_at DATETIME NOT NULL, 
	"by" VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
CREATE INDEX ix_address_change_order_id ON address_change (order_id);
CREATE TABLE run_conversation (
	conversation_id VARCHAR NOT NULL, 
	run_id VARCHAR NOT NULL, 
	PRIMARY KEY (conversation_id), 
	FOREIGN KEY(conversation_id) REFERENCES conversation (id)
);
CREATE INDEX ix_run_conversation_run_id ON run_conversation (run_id);
CREATE TABLE message (
	id VARCHAR NOT NULL, 
	conversation_id VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	content VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	complete BOOLEAN NOT NULL, 
	record_id VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversation (id)
);
CREATE INDEX ix_message_conversation_id ON message (conversation_id);
CREATE TABLE approval_refund (
	approval_id VARCHAR NOT NULL, 
	refund_id INTEGER NOT NULL, 
	PRIMARY KEY (approval_id), 
	FOREIGN KEY(approval_id) REFERENCES approval (id), 
	UNIQUE (refund_id), 
	FOREIGN KEY(refund_id) REFERENCES refund (id)
);
