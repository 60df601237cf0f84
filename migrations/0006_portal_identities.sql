CREATE TABLE `portal_identities` (
	`user_id` text NOT NULL,
	`broker` text NOT NULL,
	`ciphertext` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_identities_user_broker_idx` ON `portal_identities` (`user_id`,`broker`);