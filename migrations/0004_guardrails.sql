CREATE TABLE `account_risk` (
	`account_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`settings` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`public_settings` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`secret_key_id` text NOT NULL,
	`events` text,
	`failures_only` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`last_delivery_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `channels_user_idx` ON `channels` (`user_id`);--> statement-breakpoint
CREATE TABLE `drift` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`ticker` text NOT NULL,
	`broker_quantity` text,
	`expected_quantity` text,
	`detail` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`confirmed_at` integer,
	`resolved_at` integer,
	`resolution` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `drift_user_status_idx` ON `drift` (`user_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `drift_account_key_live_uq` ON `drift` (`account_id`,`key`) WHERE status != 'resolved';--> statement-breakpoint
CREATE TABLE `kill_switches` (
	`user_id` text PRIMARY KEY NOT NULL,
	`active` integer NOT NULL,
	`activated_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
