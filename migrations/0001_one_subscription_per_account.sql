ALTER TABLE `signals` ADD `expected_trades` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `duplicate_of` text;--> statement-breakpoint
-- Hand-written (drizzle-kit cannot express it): a deployed database may already hold the same
-- strategy subscribed twice to one account, which traded every alert twice and would make the
-- unique index below fail. Keep one subscription per pair (an enabled one first, then the
-- oldest) and park each other one: disabled, pointing at the one kept. Nothing is deleted;
-- GET /api/subscriptions shows why it was disabled, and enabling it again is refused while the
-- kept one exists.
UPDATE `subscriptions`
   SET `enabled` = 0,
       `duplicate_of` = (
         SELECT `keep`.`id` FROM `subscriptions` AS `keep`
          WHERE `keep`.`strategy_id` = `subscriptions`.`strategy_id` AND `keep`.`account_id` = `subscriptions`.`account_id`
          ORDER BY `keep`.`enabled` DESC, `keep`.`created_at` ASC, `keep`.`rowid` ASC LIMIT 1),
       `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
 WHERE `id` != (
         SELECT `keep`.`id` FROM `subscriptions` AS `keep`
          WHERE `keep`.`strategy_id` = `subscriptions`.`strategy_id` AND `keep`.`account_id` = `subscriptions`.`account_id`
          ORDER BY `keep`.`enabled` DESC, `keep`.`created_at` ASC, `keep`.`rowid` ASC LIMIT 1);--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_strategy_account_uq` ON `subscriptions` (`strategy_id`,`account_id`) WHERE duplicate_of IS NULL;
