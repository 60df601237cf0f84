CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`connection_id` text,
	`message` text NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_user_created_idx` ON `events` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`broker` text NOT NULL,
	`code_verifier` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `connections` ADD `status_at` integer;--> statement-breakpoint
ALTER TABLE `connections` ADD `auth_method` text DEFAULT 'credentials' NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `paused_code` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `paused_reason` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `paused_at` integer;--> statement-breakpoint
-- The connection lifecycle's statuses (worker/connections/lifecycle.ts) replace active/disabled.
UPDATE `connections` SET `status` = 'connected' WHERE `status` = 'active';--> statement-breakpoint
UPDATE `connections` SET `status` = 'disconnected' WHERE `status` = 'disabled';--> statement-breakpoint
UPDATE `connections` SET `status_at` = `updated_at` WHERE `status_at` IS NULL;
