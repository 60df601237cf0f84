CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`broker_account_id` text NOT NULL,
	`mode` text NOT NULL,
	`name` text NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `accounts_connection_idx` ON `accounts` (`connection_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_connection_broker_uq` ON `accounts` (`connection_id`,`broker_account_id`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`broker` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`status_message` text,
	`settings` text NOT NULL,
	`credentials_ciphertext` text,
	`credentials_key_id` text,
	`credentials_hint` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `connections_user_idx` ON `connections` (`user_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`trade_id` text NOT NULL,
	`signal_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`account_id` text NOT NULL,
	`client_order_id` text NOT NULL,
	`broker_order_id` text,
	`ticker` text NOT NULL,
	`side` text NOT NULL,
	`quantity` text NOT NULL,
	`type` text NOT NULL,
	`time_in_force` text,
	`limit_price` text,
	`stop_price` text,
	`trail_amount` text,
	`trail_percent` text,
	`status` text NOT NULL,
	`filled_quantity` text DEFAULT '0' NOT NULL,
	`avg_fill_price` text,
	`role` text NOT NULL,
	`message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_client_order_id_unique` ON `orders` (`client_order_id`);--> statement-breakpoint
CREATE INDEX `orders_trade_idx` ON `orders` (`trade_id`);--> statement-breakpoint
CREATE INDEX `orders_connection_idx` ON `orders` (`connection_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_signal_idx` ON `orders` (`signal_id`);--> statement-breakpoint
CREATE TABLE `signals` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`strategy_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`status` text NOT NULL,
	`message_code` text,
	`message` text,
	`payload` text NOT NULL,
	`source_ip` text,
	`content_type` text,
	`alert_id` text,
	`body_hash` text,
	`duplicate_of` text
);
--> statement-breakpoint
CREATE INDEX `signals_strategy_received_idx` ON `signals` (`strategy_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `signals_user_received_idx` ON `signals` (`user_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `signals_strategy_alert_idx` ON `signals` (`strategy_id`,`alert_id`);--> statement-breakpoint
CREATE INDEX `signals_strategy_body_idx` ON `signals` (`strategy_id`,`body_hash`);--> statement-breakpoint
CREATE TABLE `strategies` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`asset_class` text NOT NULL,
	`allowed_tickers` text,
	`secret_hash` text NOT NULL,
	`settings` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `strategies_user_idx` ON `strategies` (`user_id`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`strategy_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`account_id` text NOT NULL,
	`enabled` integer NOT NULL,
	`settings` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriptions_user_idx` ON `subscriptions` (`user_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_strategy_idx` ON `subscriptions` (`strategy_id`);--> statement-breakpoint
CREATE TABLE `trades` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`signal_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`status` text NOT NULL,
	`message_code` text,
	`message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trades_signal_subscription_uq` ON `trades` (`signal_id`,`subscription_id`);--> statement-breakpoint
CREATE INDEX `trades_subscription_idx` ON `trades` (`subscription_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `trades_user_status_idx` ON `trades` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);