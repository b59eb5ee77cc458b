-- Fills a migrated, empty database with a county of :items agenda items for
-- BenchmarkSearch: 30 townships of 15 villages, 10 departments, their
-- bodies and procedure lists, meetings of 8 items each from 2019 to 2026,
-- a decision for every other item and a finished recording, with an index
-- point per item, for 85% of meetings; a kept finding for one decision in
-- five (seven in ten open, one acknowledged, two resolved) and the sweep it
-- is as of. Titles are put together from the
-- word lists below; every choice comes from hashint8extended, so each run
-- builds the same data. :items is replaced before the file runs.
--
-- Triggers and foreign-key checks are off while it loads (which needs a
-- superuser, as `make services` sets up); search_items is then filled in
-- one statement, as migration 00010 fills it for an existing database.

SET session_replication_role = replica;

CREATE TEMP TABLE w AS SELECT
    ARRAY['青山','石门','柳溪','桃源','白沙','龙泉','清河','东湖','西岭','南坪',
        '北塘','金竹','云台','凤凰','马鞍','梅岭','松林','红岩','双河','三江',
        '高桥','新华','永安','太平','长乐','鹤鸣','黄龙','翠屏','安澜','丰乐'] AS town,
    ARRAY['杨家','李家','王家','张家','陈家','刘家','周家','吴家','赵家','孙家',
        '大坪','小溪','石桥','竹园','茶园','枫树','槐树','柏林','塘坊','沙坝',
        '岩口','水口','坳上','田心','湾里'] AS village,
    ARRAY['村道路硬化工程','通组道路拓宽','乡村道路养护','农村饮水安全工程',
        '危房改造','敬老院改造','中心小学维修','农田水利设施','河道整治','路灯安装',
        '垃圾中转站建设','公共厕所建设','文化广场建设','村卫生室建设','光伏发电项目',
        '茶叶种植基地','集体林地流转','土地征收补偿','集体资产处置','扶贫资金使用',
        '低保对象评定','临时救助','干部任免','后备干部推荐','年度财政预算',
        '办公设备政府采购','招商引资项目','桥梁加固工程','污水管网建设','农村电网改造',
        '5G基站建设','PPP项目合作','EPC总承包项目','高标准农田建设','防汛物资储备',
        '森林防火','人居环境整治','产业园区规划','集镇供水管网','学校食堂改造',
        '便民服务中心建设','村级活动场所','秸秆综合利用','生猪养殖场','特色小镇建设',
        '安置房分配','征地拆迁','专项债券使用','村集体经济合作社','乡村振兴示范点'] AS object,
    ARRAY['资金安排','实施方案','招标方案','验收结算','预算调整','立项申请',
        '合同签订','补助发放','工作方案','审核意见','变更申请','初步设计','拨付计划',
        '管理办法','人选推荐'] AS action,
    ARRAY['重大决策事项','重要干部任免','重大项目安排','大额资金使用',
        '村级道路建设项目','年度预算编制','政府投资项目','国有资产处置','政府采购事项',
        '工程招标事项','民生资金分配','土地征收','集体资产经营','扶贫项目安排',
        '人事调整','机构设置','规划编制','应急处置','信访事项','表彰奖励'] AS matter;

-- pick chooses an element of a by hash h; being a plain expression, it is
-- inlined into each query.
CREATE FUNCTION pg_temp.pick(a text[], h bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT a[1 + abs(h) % cardinality(a)] $$;

INSERT INTO org_units (code, name, level) VALUES ('B-C', '清源县', 'county');
INSERT INTO org_units (code, name, level, parent_id)
SELECT 'B-T' || t, pg_temp.pick(w.town, t - 1) || '镇', 'township', c.id
FROM generate_series(1, 30) t, org_units c, w WHERE c.code = 'B-C';
INSERT INTO org_units (code, name, level, parent_id)
SELECT 'B-D' || d, '县直部门' || d, 'department', c.id
FROM generate_series(1, 10) d, org_units c WHERE c.code = 'B-C';
INSERT INTO org_units (code, name, level, parent_id)
SELECT 'B-T' || t || '-V' || v, pg_temp.pick(w.village, v - 1) || '村', 'village', u.id
FROM generate_series(1, 30) t, generate_series(1, 15) v, org_units u, w
WHERE u.code = 'B-T' || t;

-- Bodies: a kind per level, as the townships have them.
INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
SELECT u.id, u.code || '-' || k.kind, u.name || k.zh, k.kind
FROM org_units u JOIN (VALUES
    ('county', 'party_standing_committee', '县委常委会'),
    ('county', 'government_executive', '政府常务会议'),
    ('township', 'party_committee', '党委会'),
    ('township', 'government_executive', '政府常务会议'),
    ('township', 'peoples_congress_presidium', '人大主席团会议'),
    ('department', 'party_group', '党组会'),
    ('village', 'village_two_committees', '村两委会议'),
    ('village', 'villager_representatives', '村民代表会议')
) AS k(level, kind, zh) ON k.level = u.level
WHERE u.code LIKE 'B-%';

-- A procedure list per unit: 40 matters above the villages, 12 in each.
CREATE TEMP TABLE unit_matters (org_unit_id bigint, k int, id bigint, PRIMARY KEY (org_unit_id, k));
WITH ins AS (
    INSERT INTO matters (org_unit_id, code, name, category, required_body_kind, major_class)
    SELECT u.id, u.code || '-M' || k,
        pg_temp.pick(w.matter, hashint8extended(u.id * 100 + k, 1)),
        (ARRAY['decision','decision','implementation','execution','other'])[1 + k % 5],
        CASE WHEN k % 4 = 3 THEN NULL ELSE b.kind END,
        (ARRAY['major_decision','cadre','major_project','large_funds','none','none'])[1 + k % 6]
    FROM w, org_units u
    CROSS JOIN LATERAL generate_series(1, CASE u.level WHEN 'village' THEN 12 ELSE 40 END) k
    JOIN LATERAL (SELECT kind FROM meeting_bodies WHERE org_unit_id = u.id
        ORDER BY id LIMIT 1) b ON true
    WHERE u.code LIKE 'B-%'
    RETURNING id, org_unit_id, code
)
INSERT INTO unit_matters
SELECT org_unit_id, substring(code from '-M([0-9]+)$')::int, id FROM ins;

CREATE TEMP TABLE bodies AS
SELECT row_number() OVER (ORDER BY b.id) AS n, b.id, b.org_unit_id, u.name AS unit_name,
    k.zh, CASE u.level WHEN 'village' THEN 12 ELSE 40 END AS matters
FROM meeting_bodies b JOIN org_units u ON u.id = b.org_unit_id
JOIN (VALUES ('party_standing_committee', '县委常委会'), ('government_executive', '政府常务会议'),
    ('party_committee', '党委会'), ('peoples_congress_presidium', '人大主席团会议'),
    ('party_group', '党组会'), ('village_two_committees', '村两委会议'),
    ('villager_representatives', '村民代表会议')) AS k(kind, zh) ON k.kind = b.kind
WHERE b.code LIKE 'B-%';

-- Meetings, 8 items each, at 09:00 or 14:30 on a day from 2019 to 2026.
CREATE TEMP TABLE bench_meetings AS
SELECT g AS n, b.id AS body_id, b.org_unit_id, b.unit_name, b.zh, b.matters,
    timestamptz '2019-01-01 09:00+08' + (abs(hashint8extended(g, 2)) % 2922) * interval '1 day'
        + CASE WHEN g % 3 = 0 THEN interval '5 hours 30 minutes' ELSE interval '0' END AS at
FROM generate_series(1, (:items + 7) / 8) g
JOIN bodies b ON b.n = 1 + abs(hashint8extended(g, 3)) % (SELECT count(*) FROM bodies);

CREATE TEMP TABLE meeting_ids (n bigint PRIMARY KEY, id bigint);
WITH ins AS (
    INSERT INTO meetings (body_id, title, planned_start, started_at, ended_at, code)
    SELECT body_id, unit_name || extract(year FROM at AT TIME ZONE '+08')::int || '年第'
            || (1 + n % 24) || '次' || zh,
        at, CASE WHEN n % 10 <> 0 THEN at + interval '5 minutes' END,
        CASE WHEN n % 10 <> 0 THEN at + interval '85 minutes' END, 'B-MTG-' || n
    FROM bench_meetings ORDER BY n
    RETURNING id, code
)
INSERT INTO meeting_ids SELECT substring(code from 7)::bigint, id FROM ins;

INSERT INTO agenda_items (meeting_id, seq, title, matter_id)
SELECT mi.id, s,
    '关于' || CASE WHEN h % 3 = 0 THEN bm.unit_name ELSE '' END
        || pg_temp.pick(w.object, hashint8extended(h, 5))
        || pg_temp.pick(w.action, hashint8extended(h, 6)) || '的议题',
    CASE WHEN h % 10 <> 0 THEN um.id END
FROM w, bench_meetings bm
JOIN meeting_ids mi ON mi.n = bm.n
CROSS JOIN generate_series(1, 8) s
CROSS JOIN LATERAL (SELECT hashint8extended(bm.n * 8 + s, 4) AS h) hh
LEFT JOIN unit_matters um ON um.org_unit_id = bm.org_unit_id
    AND um.k = 1 + abs(hashint8extended(bm.n * 8 + s, 7)) % bm.matters
WHERE (bm.n - 1) * 8 + s <= :items;

INSERT INTO decisions (org_unit_id, matter_id, title, amount, decided_at, agenda_item_id)
SELECT b.org_unit_id, ai.matter_id,
    regexp_replace(substr(ai.title, 3), '的议题$', '') || '的决定',
    CASE WHEN ai.id % 3 = 0 THEN (abs(hashint8extended(ai.id, 8)) % 2000000) / 10.0 END,
    m.planned_start + interval '1 day', ai.id
FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = m.body_id
WHERE ai.id % 2 = 0 AND ai.matter_id IS NOT NULL AND m.code LIKE 'B-MTG-%';

WITH rec AS (
    INSERT INTO recordings (meeting_id, state, started_at, ended_at)
    SELECT m.id, 'finished', m.started_at, m.ended_at
    FROM meetings m WHERE m.started_at IS NOT NULL AND m.id % 20 <> 0
        AND m.code LIKE 'B-MTG-%'
    RETURNING id, meeting_id
)
INSERT INTO index_points (agenda_item_id, recording_id, start_ms, end_ms)
SELECT ai.id, rec.id, (ai.seq - 1) * 600000 + 30000, (ai.seq - 1) * 600000 + 570000
FROM rec JOIN agenda_items ai ON ai.meeting_id = rec.meeting_id;

INSERT INTO findings (fingerprint, code, severity, decision_id, decision_title,
    matter_code, unit_code, message, message_zh, state, state_actor, state_changed_at,
    first_seen, last_seen, opened_at)
SELECT 'bench-' || d.id, 'NO_RECORDING', 'high', d.id, d.title, mt.code, u.code,
    'no finished recording', '没有完整录像',
    (ARRAY['open', 'open', 'open', 'open', 'open', 'open', 'open', 'acknowledged',
        'resolved', 'resolved'])[1 + abs(hashint8extended(d.id, 9)) % 10],
    'verifier', now(), now(), now(), now()
FROM decisions d JOIN matters mt ON mt.id = d.matter_id
JOIN org_units u ON u.id = d.org_unit_id
WHERE abs(hashint8extended(d.id, 10)) % 5 = 0;
INSERT INTO finding_sweeps (started_at, finished_at, codes, checked, found, opened,
    reopened, escalated, resolved, queued)
SELECT now(), now(), ARRAY['NO_RECORDING'], (SELECT count(*) FROM decisions), count(*),
    count(*), 0, 0, 0, 0
FROM findings;

SET session_replication_role = DEFAULT;
SELECT search_items_refresh(ARRAY(SELECT id FROM agenda_items));
