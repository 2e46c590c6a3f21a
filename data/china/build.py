"""Rebuild the China dataset (data/china/*.csv and boundaries/) from data/china/raw/.

    python data/china/build.py [--out DIR]

Deterministic, offline, pandas + stdlib only.  Every assumption is a named constant below,
with its source or the word "estimate" and its method.  See SOURCES.md for every column.
"""
import argparse
import json
import math
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"

# --------------------------------------------------------------------------------------------
# Assumptions (named constants)
# --------------------------------------------------------------------------------------------
# National Data Administration (head Liu Liehong, March 2026): daily token calls (日均词元
# 调用量) passed 140 trillion.  Token calls are inference: the whole figure is split between
# the two inference classes; training is compute, not tokens (TRAINING_SHARE below).
NATIONAL_TOKENS_PER_DAY = 140_000_000_000_000

# estimate: inference-class shares of the national token volume (no public split found):
# chat/app traffic the majority, agentic/batch API work the rest (0.55 : 0.35 as before).
CLASS_SHARES = {"interactive": 0.55 / 0.90, "batch": 0.35 / 0.90}

# estimate: training's share of China's AI-server workload, 0.40 (range 0.35-0.45): IDC,
# China AI server workloads 42.4 % training / 57.6 % inference (2023); Huajing forecast of
# the inference share 55.5 % (2021) -> 60.8 % (2025) (SOURCES.md, demand.csv).  Training
# demand = share / (1 - share) x the inference demand's busy IT MW on the reference hardware.
TRAINING_SHARE = 0.40
TRAINING_REFERENCE = "supernode"  # training MW-IT count CloudMatrix 384 (Ascend 910C) MW

# Demand proxy: provincial GDP 2023 (reference china_provinces.csv, source A; Hunan source A
# is the rounded 50000.0, so source B 50012.85 is used for Hunan).
GDP_USE_SRC_B = {"hunan"}

# MEE/NBS national fossil-only factor 2023 (FACTS.md s.2/s.3): implied non-fossil share
# = 1 - EF_province / 0.8273.
EF_FOSSIL_2023 = 0.8273
# Tibet has no provincial factor: Southwest (西南) regional 2023 factor as proxy (FACTS.md s.2).
EF_TIBET_PROXY = 0.2472

# Flat-period grid price per province: the March 2026 1-10 kV two-part agency-purchase table
# of each provincial grid company (raw/prices_2026_03.csv, 29 provinces, C: one month, as
# relayed; raw/prices_sourced.csv holds official tables of other months as cross-checks).
# estimate for Yunnan and Tibet (no figure):
#   flat = coal benchmark (燃煤发电基准价) + ADDER, ADDER = mean(flat - benchmark) over the
#   29; the adder stands for T&D 1-10 kV two-part + system operation + line loss + funds +
#   market premium.
# Tibet's benchmark (0.4498) has unclear meaning (FACTS.md s.4), so Tibet uses Qinghai's.
TIBET_BENCHMARK_PROXY_FROM = "qinghai"

# Zones.  West = the 12 provinces of the Western Development region (西部大开发: Inner
# Mongolia, Guangxi, Chongqing, Sichuan, Guizhou, Yunnan, Tibet, Shaanxi, Gansu, Qinghai,
# Ningxia, Xinjiang) minus Sichuan and Chongqing, which form the Chengdu-Chongqing demand-side
# hub (cap 1.25, treated as east).  Everything else is east.
WEST = {"inner-mongolia", "guangxi", "guizhou", "yunnan", "tibet", "shaanxi", "gansu",
        "qinghai", "ningxia", "xinjiang"}

# Time-of-use.  Nominal ratios apply to the floating component only; the multiplier vs the
# total flat price is 1 + FLOAT_SHARE x (ratio - 1).  FLOAT_SHARE default 0.62 = mean implied
# share in three official agency tables: Beijing 2024-07 (0.600), Hubei 2026-01 (0.617),
# Fujian 2025-08 (0.640).  Per-province overrides are in raw/tou_sources.csv (estimates:
# 0.93 where only funds are excluded, 0.8 where T&D also floats).
# Default ratios where the rule gives none (estimate, NDRC 发改价格〔2021〕1093号 guidance:
# peak-valley ratio >= 4:1 where the load gap is large; sharp >= peak x1.2): 1.6 / 0.4 / 1.92.
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# Seasons of the representative days (days sum to 365).
SEASONS = [("winter", [12, 1, 2], 90), ("spring", [3, 4, 5], 92), ("summer", [6, 7, 8], 92),
           ("autumn", [9, 10, 11], 91)]

# estimate: batch demand is half as peaky as interactive: f_batch = 1 + 0.5 (f_inter - 1).
BATCH_SHAPE_DAMPING = 0.5

# Finance (scenario convention in the brief): 20-year facility life at 8 %.
FACILITY_LIFE_Y = 20
DISCOUNT_RATE = 0.08

# Facility capex per MW-IT (building + power + cooling, excluding IT equipment and land), CNY.
# Air = Cushman & Wakefield, Asia Pacific Data Centre Construction Cost Guide 2025: China
# mainland mid-spec build US$7.11 M per MW (B), x 7.2 CNY/USD (estimate: 2025 average).
# Evaporative +8 % (cooling tower / indirect evaporative plant), liquid +25 % (CDUs, manifolds,
# cold plates): estimates.  Scaled per province by regions.csv construction_index in the model.
USD_CNY = 7.2
FACILITY_CAPEX_AIR = 7.11e6 * USD_CNY
FACILITY_CAPEX_PER_MW = {"air": FACILITY_CAPEX_AIR, "evaporative": FACILITY_CAPEX_AIR * 1.08,
                         "liquid": FACILITY_CAPEX_AIR * 1.25}
# Densest rack each cooling holds (cooling.csv max_rack_kw, kW/rack); its facility capex above
# is the cost per MW at that density.  Estimates: air (airside economiser, contained aisles)
# and indirect evaporative both deliver air to the rack, practical limit 25 kW/rack (range
# 20-35; ASHRAE TC 9.9 liquid-cooling white paper 2021; Uptime Institute survey 2024: few
# racks above 30 kW); direct-to-chip liquid 200 kW/rack (range 130-250: GB200 NVL72 racks of
# 120-145 kW are liquid-cooled).
MAX_RACK_KW = {"air": 25, "evaporative": 25, "liquid": 200}
# Rack density of each hardware as racked (hardware.csv rack_kw, kW/rack), estimates:
#   gpu-imported 2 x 10.2 kW HGX servers per rack = 20 (range 10-41, 1-4 servers);
#   npu-domestic 4 x ~5 kW 8-card servers = 20 (range 10-25);
#   supernode: CloudMatrix 384 ~559 kW in 16 racks (12 compute + 4 network, SemiAnalysis)
#     = 35 average, 47 if the network racks drew nothing: 40 (range 35-47);
#   supernode-950: 8,192 NPUs in 160 cabinets (Huawei Connect 2025) x 1.6 kW = 82: 80 (60-105);
#   supernode-960: 15,488 NPUs in 220 cabinets x 2.4 kW = 169: 170 (120-200).
RACK_KW = {"gpu-imported": 20, "npu-domestic": 20, "supernode": 40, "supernode-950": 80,
           "supernode-960": 170}
# Facility opex per MW-IT and year (cooling.csv opex_per_mw_year; national average, scaled by
# construction_index in the model).  All estimates:
#   maintenance and repairs of the electrical and mechanical plant 2.5 % of facility capex per
#   year (range 1.5-4 %), property and equipment insurance 0.3 % (range 0.2-0.5 %);
#   staff 0.4 FTE per MW-IT (range 0.2-1.0: shift engineers, security, facility management;
#   large campuses sit at the low end) x 120,698 CNY (NBS: 2023 average wage of urban
#   non-private units, A) x 1.4 employer on-costs (social insurance and housing fund, range
#   1.3-1.45).
OPEX_MAINT_SHARE, OPEX_INSURANCE_SHARE = 0.025, 0.003
STAFF_FTE_PER_MW, WAGE_2023_CNY, WAGE_ONCOST = 0.4, 120_698, 1.4
# Hardware opex (hardware.csv opex_share): support contracts, spares and insurance as a share
# of capex per year; estimate 0.02 (range 0.01-0.10; vendor support for a DGX system is listed
# at about 20 %/yr of its price, but large fleets self-maintain).
HW_OPEX_SHARE = 0.02
# Regional construction-cost index (regions.csv construction_index), estimate: labour is about
# 30 % of data-centre construction cost and wages vary less than GDP, so
#   index = 1 + 0.3 x (sqrt(GDP per capita / national GDP per capita) - 1)
# (NBS GDP 2023 and resident population 2023), x 1.10 on the Qinghai-Tibet plateau (altitude,
# haulage; Tibet, Qinghai).  Believed range +-10 % around each value.
INDEX_LABOUR_SHARE = 0.3
PLATEAU = {"tibet", "qinghai"}
PLATEAU_UPLIFT = 1.10

# WUE, L/kWh-IT (climate/pue_by_cooling.csv): air+adiabatic = Meta fleet 0.26 (A);
# tower + WSE = 5th percentile of Lei & Masanet hyperscale range (1.73-1.76 for the zones in
# China, B) rounded to 1.75; liquid to dry cooler = top of "dry coolers 0-0.05" (C).
WUE = {"air": 0.26, "evaporative": 1.75, "liquid": 0.05}

# estimate: direct-to-chip liquid PUE (no climate-resolved source; industry claims 1.15-1.25
# for cold plate and "as low as 1.04" for full liquid, pue_by_cooling.csv, C).  Warm-water
# loop (32 C supply) rejected by dry coolers whenever dry bulb < 27 C (hours_db_lt27c):
# PUE = LIQ_PUE_FREE + (LIQ_PUE_MECH - LIQ_PUE_FREE) x (1 - hours_db_lt27c/8760).
LIQ_PUE_FREE = 1.06
LIQ_PUE_MECH = 1.25

# Grid connection by voltage tier (estimate; upfront CNY for a dedicated substation and a
# double-circuit line to the grid, N-1), sized by the site's facility MW:
#   110 kV up to 100 MW: 0.6e8 (2 x 63 MVA substation ~0.4e8 + ~15 km line);
#   220 kV up to 400 MW: 1.5e8 (anchor: a new 220 kV 480 MVA substation in Shanxi, static
#       investment 8,889 万 CNY, State Grid Shanxi Jincheng Zhoucun 220 kV project estimate,
#       C; + ~20 km double-circuit line at ~3 M CNY/km);
#   500 kV up to 2000 MW: 7.0e8 (estimate: ~4x the 220 kV substation + ~50 km line).
# Written to grid_tiers.csv (annualised x CRF): the model charges the lower convex hull of the
# steps (docs/model.md, family 4c), so locations.csv's fixed_cost_per_year no longer holds a
# connection part and connection_cost_per_mw_year is 0.
CONNECTION_TIERS = [(110, 100, 0.6e8), (220, 400, 1.5e8), (500, 2000, 7.0e8)]
# Other opening costs (estimate): metro land premium 3.0e8; new-energy bases long-haul fibre
# 2.0e8; national clusters get land and fibre from the park.
SITE_EXTRA_UPFRONT = {"national-cluster": 0.0, "metro": 3.0e8, "new-energy-base": 2.0e8}
# Grid headroom (locations.csv grid_headroom_mw), estimate: facility MW a location's grid can
# supply to new load without new 500 kV backbone = 3 % (range 1-6 %) of the province's peak
# load; peak = 2024 consumption / (sum over months of days x the sum of the monthly-average
# day's hourly load fractions) (the load profile is a fraction of the peak monthly-average hour).
HEADROOM_SHARE_OF_PEAK = 0.03

# PPA: grid-parity wind/solar settle at the provincial coal benchmark (发改价格〔2021〕833号,
# 2021 new-energy on-grid price policy; URL not retrieved here).  cost/MW-yr = benchmark x
# full-load hours.  estimate: max contract per site = 5 % of the province's installed
# capacity of that technology (end-2024/Nov-2024), at least 50 MW, at most 3000 MW.
PPA_SHARE_OF_INSTALLED = 0.05
PPA_MIN_MW, PPA_MAX_MW = 50, 3000
# Wheeling (ppa.csv wheeling_per_mwh): a wheeled green-power contract (绿电交易) pays, on each
# MWh delivered, the grid charges other market buyers pay: T&D at the connection voltage +
# system-operation fee + government funds + line loss.  Sourced components for Hubei (B),
# Zhejiang and Shanghai (C) in raw/grid_charges.csv; 1-10 kV T&D rows are moved to 110 kV by
# TD_STEP_110KV (Hubei 126.3 - 88.4 = 37.9, B; Shandong 30, C -> 35, estimate).
# Elsewhere estimate: (1 - 0.62) x flat price - TD_STEP_110KV, the non-floating part of the
# flat price (see time-of-use) at 110 kV; range +-25 %.
TD_STEP_110KV = 35.0
GRID_CHARGE_SHARE_OF_FLAT = 1 - 0.62
# Diurnal wind shape: renewables.ninja (MERRA-2, Vestas V90 at 80 m) average day of December
# 2022 at one point in each of Heilongjiang, Inner Mongolia, Jilin and Liaoning (B); each is
# normalised to mean 1.  Those four use their own shape; every other province the mean of the
# four (estimate: northern night-peaking onshore wind; one winter month applied to all
# seasons).  The level per month stays the CEC monthly capacity factor.
WIND_SHAPE_OWN = {150000, 210000, 220000, 230000}
# Grid regions (regions.csv grid_region): the regional grids of the MEE/NBS regional
# emission factors (华北 north, 东北 northeast, 华东 east, 华中 central, 西北 northwest,
# 西南 southwest = State Grid's regional grids; 南方 south = China Southern Grid).
GRID_REGION = {"华北": "north", "东北": "northeast", "华东": "east", "华中": "central",
               "西北": "northwest", "西南": "southwest", "南方": "south"}

# Curtailed renewables (curtailment.csv).  Annual curtailed energy per province and tech =
# realised output (CEC full-load hours x capacity, which already net out curtailment) x
# c / (1 - c), c = 2024 curtailment rate (REF genmix, mean of monthly rates, C).  Shape over
# the slices = the tech's capacity-factor profile of renewables.csv (estimate: real curtailment
# concentrates in the highest-output hours, so this spreads it too evenly).
# estimate: only part of a province's curtailed output sits behind the same grid constraint
# as a data-centre site, and only that part can be absorbed there.
CURTAIL_ACCESSIBLE_SHARE = 0.5
# estimate: curtailed energy is free as energy; the buyer still pays the grid charges a
# wheeled contract pays (wheeling_per_mwh below: T&D at 110 kV, system operation, funds, loss).

# Battery storage (storage.csv): one LFP technology with separate energy and power costs.
# China Energy Engineering 2025 LFP system tender (25 GWh; results relayed by Mercom India,
# 2025-07-01, https://mercomindia.com/china-record-low-tariff-battery-storage-auction, B):
# average bids 0.4646 CNY/Wh for 2-h and 0.4249 CNY/Wh for 4-h systems.  Cost per kWh of an
# h-hour system = e + p / h  ->  p = 4 x (464.6 - 424.9) = 158.8 CNY/kW, e = 385.2 CNY/kWh.
STORAGE_BID_2H, STORAGE_BID_4H = 464.6, 424.9  # CNY/kWh
# estimate: tender prices are equipment only; installation, EPC and grid connection +30 %.
STORAGE_INSTALL_UPLIFT = 1.30
# NREL ATB 2024, utility-scale battery storage: round-trip efficiency 85 %, 15-year life (B).
STORAGE_RTE, STORAGE_LIFE_Y = 0.85, 15

# Hardware (all estimates unless stated; sources in SOURCES.md)
HARDWARE = [
    # id, name, kw_per_unit, capex_per_unit CNY, lifetime_years, idle_share, first_year
    ("gpu-imported", "NVIDIA H100/H800-class GPU (8-GPU HGX server)", 1.6, 375000, 5, 0.30, None),
    ("npu-domestic", "Huawei Ascend 910B-class NPU (8-card server)", 0.8, 120000, 5, 0.30, None),
    ("supernode", "Huawei CloudMatrix 384 super-node (Ascend 910C)", 1.6, 169271, 5, 0.35, None),
    # next generations on Huawei's roadmap (Huawei Connect, 18 Sep 2025, B): Ascend 950DT in
    # Q4 2026 (first full year 2027), Ascend 960 in Q4 2027 (2028). Power and price are
    # estimates: 950 as the 910C per chip, price x 1.2; 960 power x 1.5, price x 2.
    ("supernode-950", "Huawei Atlas 950 SuperPoD (Ascend 950DT), roadmap estimate", 1.6,
     round(169271 * 1.2), 5, 0.35, 2027),
    ("supernode-960", "Huawei Atlas 960 SuperPoD (Ascend 960), roadmap estimate", 2.4,
     round(169271 * 2.0), 5, 0.35, 2028),
]
# Throughput per chip of the next generations relative to the 910C (all classes; estimate):
# the HBM bandwidth ratio, as decode is memory-bound: 950DT 4.0 TB/s, 960 9.6 TB/s (Huawei
# Connect 2025) vs the 910C's 3.2 TB/s (secondary, SemiAnalysis CloudMatrix 384 article).
NEXT_GEN_REL_SUPERNODE = {"supernode-950": 4.0 / 3.2, "supernode-960": 9.6 / 3.2}
# GPU reference throughput: TensorRT-LLM perf-overview, H100 SXM FP8, Llama-3.3-70B TP2,
# ISL/OSL 1000/1000: 4,205 output tok/s for 2 GPUs (FACTS.md s.10, A).  Tokens here count
# input + output, so per GPU = 2 x 4205/2 = 4205 tokens/s.
GPU_BATCH_TOKENS_S = 2 * 4205 / 2
# estimate: supernode per-chip batch throughput = 0.9 x H100 (between the BF16 compute ratio
# 781/989 = 0.79 (SemiAnalysis 300 PFLOPS/384 chips vs H100 989) and the report that
# CloudMatrix-Infer per-card DeepSeek-R1 throughput exceeds H100).
SUPERNODE_REL_GPU = 0.9
# Huawei HDC 2025: per-card throughput 600 tok/s without super-node vs 2,300 with (C).
NPU_REL_SUPERNODE = 600 / 2300
# estimate: interactive (tight per-token latency) throughput / batch throughput.  CloudMatrix-
# Infer: 538 tok/s per NPU at TPOT < 15 ms vs 1,943 at TPOT < 50 ms (0.28); interactive is
# taken at ~20 ms TPOT -> 0.40, applied to all hardware.
INTERACTIVE_DERATE = 0.40
# Training: tokens/s = MFU x peak dense BF16 FLOPS / (6 x params), 70B-parameter dense model.
TRAIN_PARAMS = 70e9
TRAIN = {  # peak dense BF16 FLOPS, MFU (estimate)
    "gpu-imported": (989e12, 0.40),   # H100 SXM BF16 dense (accelerators.csv)
    "npu-domestic": (320e12, 0.30),   # Ascend 910B ~320 TFLOPS FP16 (secondary, C)
    "supernode": (781.25e12, 0.35),   # 300 PFLOPS BF16 / 384 (SemiAnalysis)
}

WORKLOADS = [
    # id, name, latency_ms, shiftable, peak_factor  (estimates)
    ("interactive", "Interactive chat / app inference", 40, False, None),
    ("batch", "Agent and batch API inference", 200, True, 2.0),
    ("training", "Training and fine-tuning (compute, MW-IT of the reference hardware)", None,
     True, 1.5),
]

# Locations: id, name, name_local, region, coord key, kind, hub, climate station, max_mw
# (max_mw = estimate: buildable IT MW; clusters 1000-3000 by announced scale, metros 300-800
# limited by land/power quotas, new-energy bases 1000-2000).  Coordinates: "cluster:<en>" =
# china_hub_clusters.csv, "capital:<slug>" = capital point of china_provinces.csv,
# "station:<city>" = china_climate.csv row, "dm:<city>" = raw/city_coords_dm.csv.
LOCATIONS = [
    ("zhangjiakou", "Zhangjiakou cluster", "张家口", "hebei", "cluster:Zhangjiakou", "national-cluster",
     "Beijing-Tianjin-Hebei", "Zhangjiakou cluster: Huailai start zone", 3000),
    ("yrd-qingpu", "YRD eco-green demo zone cluster (Qingpu)", "长三角生态绿色一体化发展示范区", "shanghai",
     "cluster:YRD Eco-Green Integration Demo Zone", "national-cluster", "Yangtze River Delta", "Shanghai", 1000),
    ("wuhu", "Wuhu cluster", "芜湖", "anhui", "cluster:Wuhu", "national-cluster", "Yangtze River Delta",
     "Wuhu cluster (proxy station)", 1500),
    ("shaoguan", "Shaoguan cluster", "韶关", "guangdong", "cluster:Shaoguan", "national-cluster",
     "Guangdong-HK-Macao Greater Bay Area", "Shaoguan cluster", 1500),
    ("tianfu", "Tianfu cluster (Chengdu)", "天府", "sichuan", "cluster:Tianfu (Sichuan)", "national-cluster",
     "Chengdu-Chongqing", "Chengdu", 1500),
    ("chongqing", "Chongqing cluster", "重庆", "chongqing", "cluster:Chongqing", "national-cluster",
     "Chengdu-Chongqing", "Chongqing", 1500),
    ("horinger", "Horinger cluster (Hohhot)", "和林格尔", "inner-mongolia", "cluster:Horinger (Hohhot)",
     "national-cluster", "Inner Mongolia", "Hohhot", 2000),
    ("ulanqab", "Ulanqab (Jining)", "乌兰察布", "inner-mongolia", "dm:ulanqab", "national-cluster",
     "Inner Mongolia", "Horinger cluster: Ulanqab (Jining) proxy", 2000),
    ("guian", "Gui'an cluster", "贵安", "guizhou", "cluster:Gui'an", "national-cluster", "Guizhou",
     "Guiyang", 2000),
    ("qingyang", "Qingyang cluster", "庆阳", "gansu", "cluster:Qingyang", "national-cluster", "Gansu",
     "Qingyang cluster (Xifeng)", 1500),
    ("zhongwei", "Zhongwei cluster", "中卫", "ningxia", "cluster:Zhongwei", "national-cluster", "Ningxia",
     "Zhongwei cluster (proxy station)", 2000),
    ("beijing", "Beijing metro", "北京", "beijing", "capital:beijing", "metro", "", "Beijing", 300),
    ("tianjin", "Tianjin metro", "天津", "tianjin", "capital:tianjin", "metro", "", "Tianjin", 500),
    ("shanghai", "Shanghai metro", "上海", "shanghai", "capital:shanghai", "metro", "", "Shanghai", 400),
    ("suzhou", "Suzhou metro", "苏州", "jiangsu", "dm:suzhou", "metro", "", "Shanghai", 600),
    ("nanjing", "Nanjing metro", "南京", "jiangsu", "capital:jiangsu", "metro", "", "Nanjing", 600),
    ("hangzhou", "Hangzhou metro", "杭州", "zhejiang", "capital:zhejiang", "metro", "", "Hangzhou", 600),
    ("hefei", "Hefei metro", "合肥", "anhui", "capital:anhui", "metro", "", "Hefei", 500),
    ("guangzhou", "Guangzhou metro", "广州", "guangdong", "capital:guangdong", "metro", "", "Guangzhou", 600),
    ("shenzhen", "Shenzhen metro", "深圳", "guangdong", "dm:shenzhen", "metro", "", "Guangzhou", 400),
    ("fuzhou", "Fuzhou metro", "福州", "fujian", "capital:fujian", "metro", "", "Fuzhou", 500),
    ("jinan", "Jinan metro", "济南", "shandong", "capital:shandong", "metro", "", "Jinan", 600),
    ("qingdao", "Qingdao metro", "青岛", "shandong", "dm:qingdao", "metro", "", "Jinan", 500),
    ("zhengzhou", "Zhengzhou metro", "郑州", "henan", "capital:henan", "metro", "", "Zhengzhou", 600),
    ("wuhan", "Wuhan metro", "武汉", "hubei", "capital:hubei", "metro", "", "Wuhan", 600),
    ("changsha", "Changsha metro", "长沙", "hunan", "capital:hunan", "metro", "", "Changsha", 500),
    ("xian", "Xi'an metro", "西安", "shaanxi", "capital:shaanxi", "metro", "", "Xi'an", 800),
    ("shenyang", "Shenyang metro", "沈阳", "liaoning", "capital:liaoning", "metro", "", "Shenyang", 500),
    ("haikou", "Haikou metro", "海口", "hainan", "capital:hainan", "metro", "", "Haikou", 300),
    ("nanning", "Nanning metro", "南宁", "guangxi", "capital:guangxi", "metro", "", "Nanning", 500),
    ("kunming", "Kunming", "昆明", "yunnan", "capital:yunnan", "new-energy-base", "", "Kunming", 1000),
    ("ordos", "Ordos (Dongsheng)", "鄂尔多斯", "inner-mongolia", "dm:ordos", "new-energy-base", "",
     "Hohhot", 2000),
    ("hami", "Hami", "哈密", "xinjiang", "dm:hami", "new-energy-base", "", "Urumqi", 1500),
    ("urumqi", "Urumqi", "乌鲁木齐", "xinjiang", "capital:xinjiang", "new-energy-base", "", "Urumqi", 1000),
    ("golmud", "Golmud", "格尔木", "qinghai", "dm:golmud", "new-energy-base", "", "Xining", 1000),
    ("xining", "Xining", "西宁", "qinghai", "capital:qinghai", "new-energy-base", "", "Xining", 1000),
    ("jiuquan", "Jiuquan", "酒泉", "gansu", "dm:jiuquan", "new-energy-base", "", "Lanzhou", 1500),
    ("lanzhou", "Lanzhou", "兰州", "gansu", "capital:gansu", "new-energy-base", "", "Lanzhou", 1000),
    ("lhasa", "Lhasa", "拉萨", "tibet", "capital:tibet", "new-energy-base", "", "Lhasa", 300),
]
# Location special prices, CNY/MWh (only where documented): Gui'an ~0.35 CNY/kWh
# (aliyunyh.com/422362.html, C); Zhongwei 0.36 CNY/kWh (oryoy.com page, C); Horinger and
# Ulanqab: estimate 300 = the mission's stylised fact "western new-energy power for data
# centres near 0.3 CNY/kWh" (Inner Mongolia 2024 policy promises low-cost green power >= 80 %,
# nmg.cnipai.com, no number).
LOCATION_PRICE = {"guian": 350.0, "zhongwei": 360.0, "horinger": 300.0, "ulanqab": 300.0}
# Cluster sites in a sub-provincial price zone take that zone's March 2026 flat price
# (raw/prices_2026_03.csv rows with a zone, C): Zhangjiakou in the Jibei grid (冀北),
# Shaoguan in northern Guangdong (粤北).
ZONE_PRICE_ROWS = {"zhangjiakou": "Jibei", "shaoguan": "粤北"}
# Cooling options per location: all three everywhere except evaporative where the province's
# withdrawal ratio is "extremely high" (> 80 %, china_water.csv) -- there only air and liquid.
WATER_STRESS_NO_EVAP = 0.80

REGION_SLUG = {
    "Beijing": "beijing", "Tianjin": "tianjin", "Hebei": "hebei", "Shanxi": "shanxi",
    "Inner Mongolia": "inner-mongolia", "Liaoning": "liaoning", "Jilin": "jilin",
    "Heilongjiang": "heilongjiang", "Shanghai": "shanghai", "Jiangsu": "jiangsu",
    "Zhejiang": "zhejiang", "Anhui": "anhui", "Fujian": "fujian", "Jiangxi": "jiangxi",
    "Shandong": "shandong", "Henan": "henan", "Hubei": "hubei", "Hunan": "hunan",
    "Guangdong": "guangdong", "Guangxi": "guangxi", "Hainan": "hainan", "Chongqing": "chongqing",
    "Sichuan": "sichuan", "Guizhou": "guizhou", "Yunnan": "yunnan", "Tibet (Xizang)": "tibet",
    "Tibet": "tibet", "Shaanxi": "shaanxi", "Gansu": "gansu", "Qinghai": "qinghai",
    "Ningxia": "ningxia", "Xinjiang": "xinjiang",
}


# --------------------------------------------------------------------------------------------
def fmt(x, nd):
    """Fixed-decimal string; avoids '-0.000'."""
    s = f"{x:.{nd}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def write(df, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")


def crf(rate, years):
    return rate * (1 + rate) ** years / ((1 + rate) ** years - 1)


def read(name):
    return pd.read_csv(RAW / name, dtype=str, keep_default_na=False)


def parse_months(s):
    out = []
    for part in s.split(";"):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def parse_hours(s):
    out = []
    for part in s.split(";"):
        a, b = part.split("-")
        out += list(range(int(a), int(b)))
    return out


def dm_to_deg(v):
    """ECharts geoCoordMap values are degrees.minutes written as decimals (e.g. 94.55 = 94°55')."""
    v = float(v)
    d = math.floor(v)
    return d + (v - d) * 100 / 60


# --------------------------------------------------------------------------------------------
def build_regions():
    p = read("china_provinces.csv")
    p["region"] = p["name_en"].map(REGION_SLUG)
    clim = read("china_climate.csv")
    water = read("china_water.csv")
    snap = read("prices_2026_03.csv")
    snap = snap[snap["zone"] == ""]

    bench = dict(zip(p["region"], p["coal_benchmark_tariff_yuan_per_kwh"].astype(float)))
    bench["tibet"] = bench[TIBET_BENCHMARK_PROXY_FROM]
    sourced = dict(zip(snap["name_en"].map(REGION_SLUG), snap["flat_yuan_per_kwh"].astype(float)))
    adder = sum(sourced[r] - bench[r] for r in sourced) / len(sourced)

    gdp = {}
    for _, r in p.iterrows():
        col = "gdp_2023_100m_yuan_srcB" if r["region"] in GDP_USE_SRC_B else "gdp_2023_100m_yuan_srcA"
        gdp[r["region"]] = float(r[col])
    tot = sum(gdp.values())
    pop = dict(zip(p["region"], p["pop_2023_10k_srcA"].astype(float)))
    gdp_pc_nat = tot / sum(pop.values())

    rows = []
    for _, r in p.iterrows():
        reg = r["region"]
        index = 1 + INDEX_LABOUR_SHARE * (math.sqrt(gdp[reg] / pop[reg] / gdp_pc_nat) - 1)
        index *= PLATEAU_UPLIFT if reg in PLATEAU else 1.0
        ad = int(r["adcode"])
        cap = clim[(clim["adcode"].astype(int) == ad)].iloc[0]  # first row = capital station
        ef = float(r["ef_2023_kgco2_per_kwh"]) if r["ef_2023_kgco2_per_kwh"] else EF_TIBET_PROXY
        price = sourced.get(reg, bench[reg] + adder) * 1000
        w = water[water["adcode"].astype(int) == ad].iloc[0]
        rows.append({
            "region": reg,
            "name": "Tibet" if reg == "tibet" else r["name_en"],
            "name_local": r["name_zh"],
            "code": str(ad),
            "lat": fmt(float(r["capital_lat"]), 4),
            "lon": fmt(float(r["capital_lon"]), 4),
            "zone": "west" if reg in WEST else "east",
            "price_per_mwh": fmt(price, 1),
            "green_share": fmt(1 - ef / EF_FOSSIL_2023, 3),
            "ef_tco2_per_mwh": fmt(ef, 4),
            "mean_temp_c": fmt(float(cap["annual_mean_drybulb_c"]), 1),
            "free_cooling_h": str(int(cap["hours_wetbulb_below_12c"])),
            "water_stress": fmt(float(w["local_withdrawal_to_resources_pct"]) / 100, 2),
            "demand_share": fmt(gdp[reg] / tot, 5),
            "grid_region": GRID_REGION[r["mee_grid_region_unverified"]],
            "construction_index": fmt(index, 3),
        })
    return pd.DataFrame(rows), gdp, adder


def location_coords():
    cl = read("china_hub_clusters.csv")
    p = read("china_provinces.csv")
    p["region"] = p["name_en"].map(REGION_SLUG)
    dm = read("city_coords_dm.csv")
    out = {}
    for _, r in cl.iterrows():
        out["cluster:" + r["cluster_en"]] = (float(r["city_lat"]), float(r["city_lon"]))
    for _, r in p.iterrows():
        out["capital:" + r["region"]] = (float(r["capital_lat"]), float(r["capital_lon"]))
    for _, r in dm.iterrows():
        out["dm:" + r["city"]] = (dm_to_deg(r["lat_dm"]), dm_to_deg(r["lon_dm"]))
    return out


# Direct-line green power (绿电直连, NDRC/NEA 发改能源〔2025〕650号: new wind/solar may supply
# one user over a dedicated line), offered where a province's rules or a project are sourced:
#   ningxia solar: Datang's 500 MW PV wired to the Zhongwei AI data centre over 4 x 110 kV
#     dedicated lines (pv-magazine 2026-05-04, B) -> max 500 MW;
#   hunan solar and wind: Hunan's rules under 650号 (湘发改能源〔2025〕853号: self-use >= 60 %
#     of output, feed-in <= 20 %; solarbe, B); MW not given -> estimate: the wheeled cap
#     (ppa.csv max_mw), range x0.5-x2.
# Line: estimate 4 x 110 kV lines of ~20 km (10-40) at ~1.0 M CNY/km (0.6-1.5) + 5 M CNY of
# bays each for 500 MW -> 0.2 M CNY/MW upfront x CRF; range x0.5-x2.5.
# Charges: estimate: a direct line avoids T&D and line loss but still pays the system-
# operation fee and government funds: Hubei 82.3 + 45.2 of the 229.5 wheeled (B) = 0.556 of
# the province's wheeling_per_mwh; range 0.2 (funds only) - 0.56.
DIRECT_LINE_ROWS = [("ningxia", "solar", 500.0), ("hunan", "solar", None),
                    ("hunan", "wind", None)]
DIRECT_LINE_UPFRONT_PER_MW = 4 * (20 * 1.0e6 + 5e6) / 500
DIRECT_CHARGE_SHARE = (82.3 + 45.2) / 229.5


def build_direct_line(ppa):
    """direct_line.csv: DIRECT_LINE_ROWS priced as above."""
    a = crf(DISCOUNT_RATE, FACILITY_LIFE_Y)
    offer = ppa.set_index(["region", "tech"])
    rows = []
    for reg, tech, mw in DIRECT_LINE_ROWS:
        row = offer.loc[(reg, tech)]
        rows.append({"region": reg, "tech": tech,
                     "line_cost_per_mw_year": fmt(DIRECT_LINE_UPFRONT_PER_MW * a, 0),
                     "max_mw": fmt(mw if mw is not None else float(row["max_mw"]), 0),
                     "charge_per_mwh": fmt(DIRECT_CHARGE_SHARE * float(row["wheeling_per_mwh"]),
                                           1)})
    return pd.DataFrame(rows)


def build_grid_tiers():
    """grid_tiers.csv: CONNECTION_TIERS annualised (CRF of the facility)."""
    a = crf(DISCOUNT_RATE, FACILITY_LIFE_Y)
    return pd.DataFrame([{"voltage_kv": str(kv), "max_mw": str(mw), "cost_per_year": fmt(c * a, 0)}
                         for kv, mw, c in CONNECTION_TIERS])


def peak_load_mw():
    """Province peak load (MW) by adcode: 2024 consumption / load-profile hours at peak."""
    gm = read("china_generation_mix.csv")
    cons = dict(zip(gm["adcode"].astype(int), gm["consumption_twh"].astype(float)))
    load = hourly()
    load = load[load["kind"] == "load"]
    hcols = [f"h{h:02d}" for h in range(24)]
    out = {}
    for ad, g in load.groupby("adcode"):
        hours = sum(DAYS_IN_MONTH[int(m) - 1] * float(row[hcols].astype(float).sum())
                    for m, (_i, row) in zip(g["month"], g.iterrows(), strict=True))
        out[int(ad)] = cons[int(ad)] * 1e6 / hours
    return out


def location_prices():
    """CNY/MWh per location with its own price: documented cluster prices and the flat price
    of a sub-provincial zone (ZONE_PRICE_ROWS)."""
    snap = read("prices_2026_03.csv")
    out = dict(LOCATION_PRICE)
    for loc, key in ZONE_PRICE_ROWS.items():
        row = snap[snap["zone"].str.contains(key)].iloc[0]
        out[loc] = float(row["flat_yuan_per_kwh"]) * 1000
    return out


def build_locations(regions):
    coords = location_coords()
    own_price = location_prices()
    zone = dict(zip(regions["region"], regions["zone"]))
    code = dict(zip(regions["region"], regions["code"].astype(int)))
    peak = peak_load_mw()
    base, per_mw = 0.0, 0.0  # the grid connection is in grid_tiers.csv
    a = crf(DISCOUNT_RATE, FACILITY_LIFE_Y)
    rows = []
    for lid, name, local, reg, ck, kind, hub, _st, mx in LOCATIONS:
        lat, lon = coords[ck]
        rows.append({
            "location": lid, "name": name, "name_local": local, "region": reg,
            "lat": fmt(lat, 4), "lon": fmt(lon, 4), "zone": zone[reg], "hub": hub, "kind": kind,
            "price_per_mwh": fmt(own_price[lid], 1) if lid in own_price else "",
            "fixed_cost_per_year": fmt((base + SITE_EXTRA_UPFRONT[kind]) * a, 0),
            "connection_cost_per_mw_year": fmt(per_mw * a, 0),
            "max_mw": str(mx),
            "grid_headroom_mw": fmt(HEADROOM_SHARE_OF_PEAK * peak[code[reg]], 0),
        })
    return pd.DataFrame(rows)


def build_cooling():
    a = crf(DISCOUNT_RATE, FACILITY_LIFE_Y)
    names = {"air": "Air with airside economiser (+adiabatic)",
             "evaporative": "Cooling tower / indirect evaporative free cooling",
             "liquid": "Direct-to-chip liquid (cold plate, dry cooler)"}
    return pd.DataFrame([{"cooling": c, "name": names[c],
                          "facility_cost_per_mw_year": fmt(FACILITY_CAPEX_PER_MW[c] * a, 0),
                          "wue_l_per_kwh": fmt(WUE[c], 2),
                          "opex_per_mw_year": fmt(facility_opex(c), 0),
                          "max_rack_kw": str(MAX_RACK_KW[c])}
                         for c in ["air", "evaporative", "liquid"]])


def facility_opex(cooling):
    """CNY per MW-IT and year: maintenance + insurance (share of facility capex) + staff."""
    staff = STAFF_FTE_PER_MW * WAGE_2023_CNY * WAGE_ONCOST
    return FACILITY_CAPEX_PER_MW[cooling] * (OPEX_MAINT_SHARE + OPEX_INSURANCE_SHARE) + staff


def build_site_options(regions):
    fc = read("china_freecooling_detail.csv").set_index("city")
    stress = dict(zip(regions["region"], regions["water_stress"].astype(float)))
    rows = []
    for lid, _n, _l, reg, _c, _k, _h, st, _m in LOCATIONS:
        s = fc.loc[st]
        opts = {"air": float(s["model_pue_airside_econ_adiabatic"]),
                "evaporative": float(s["model_pue_tower_waterside_econ"]),
                "liquid": LIQ_PUE_FREE + (LIQ_PUE_MECH - LIQ_PUE_FREE) * (1 - int(s["hours_db_lt27c"]) / 8760)}
        for c in ["air", "evaporative", "liquid"]:
            if c == "evaporative" and stress[reg] > WATER_STRESS_NO_EVAP:
                continue
            rows.append({"site": f"{lid}-{c}", "location": lid, "cooling": c, "pue": fmt(opts[c], 3)})
    return pd.DataFrame(rows)


def build_hardware():
    return pd.DataFrame([{"hardware": h, "name": n, "kw_per_unit": fmt(kw, 2),
                          "capex_per_unit": str(cx), "lifetime_years": str(lt),
                          "idle_share": fmt(idle, 2), "first_year": "" if fy is None else str(fy),
                          "opex_share": fmt(HW_OPEX_SHARE, 3), "rack_kw": str(RACK_KW[h])}
                         for h, n, kw, cx, lt, idle, fy in HARDWARE])


def build_throughput():
    batch = {"gpu-imported": GPU_BATCH_TOKENS_S}
    batch["supernode"] = GPU_BATCH_TOKENS_S * SUPERNODE_REL_GPU
    batch["npu-domestic"] = batch["supernode"] * NPU_REL_SUPERNODE
    rows = []
    vals_of = {}
    for h, *_ in HARDWARE:
        if h in NEXT_GEN_REL_SUPERNODE:
            rel = NEXT_GEN_REL_SUPERNODE[h]
            vals = {w: v * rel for w, v in vals_of["supernode"].items()}
        else:
            flops, mfu = TRAIN[h]
            vals = {"interactive": batch[h] * INTERACTIVE_DERATE, "batch": batch[h],
                    "training": mfu * flops / (6 * TRAIN_PARAMS)}
        vals_of[h] = vals
        for w, *_r in WORKLOADS:
            rows.append({"hardware": h, "workload": w, "tokens_per_s": fmt(vals[w], 1)})
    return pd.DataFrame(rows)


def build_workloads():
    return pd.DataFrame([{"workload": w, "name": n, "latency_ms": "" if lat is None else str(lat),
                          "shiftable": "true" if sh else "false",
                          "peak_factor": "" if pf is None else fmt(pf, 1),
                          "demand_unit": "tokens" if w in CLASS_SHARES else "mw_it",
                          "reference_hardware": "" if w in CLASS_SHARES else TRAINING_REFERENCE}
                         for w, n, lat, sh, pf in WORKLOADS])


def training_mw_it(throughput):
    """National training demand, MW-IT of the reference hardware busy on average: the
    inference classes' busy MW on it x TRAINING_SHARE / (1 - TRAINING_SHARE)."""
    kw = {h: k for h, _n, k, *_ in HARDWARE}[TRAINING_REFERENCE]
    tps = {r.workload: float(r.tokens_per_s) for r in throughput.itertuples()
           if r.hardware == TRAINING_REFERENCE}
    inference_mw = sum(NATIONAL_TOKENS_PER_DAY * share / 86400 / tps[w] * kw / 1000
                       for w, share in CLASS_SHARES.items())
    return inference_mw * TRAINING_SHARE / (1 - TRAINING_SHARE)


def build_demand(regions, gdp, throughput):
    tot = sum(gdp.values())
    cells = []
    for reg in regions["region"]:
        for w in CLASS_SHARES:
            cells.append([reg, w, round(NATIONAL_TOKENS_PER_DAY * gdp[reg] / tot * CLASS_SHARES[w])])
    diff = NATIONAL_TOKENS_PER_DAY - sum(c[2] for c in cells)
    big = max(range(len(cells)), key=lambda i: cells[i][2])
    cells[big][2] += diff  # rounding residual on the largest row
    train = training_mw_it(throughput)
    rows = [{"region": r, "workload": w, "tokens_per_day": str(int(v)), "mw_it": ""}
            for r, w, v in cells]
    rows += [{"region": r, "workload": "training", "tokens_per_day": "",
              "mw_it": fmt(train * gdp[r] / tot, 3)} for r in regions["region"]]
    order = {w: i for i, (w, *_) in enumerate(WORKLOADS)}
    reg_order = {r: i for i, r in enumerate(regions["region"])}
    rows.sort(key=lambda x: (reg_order[x["region"]], order[x["workload"]]))
    return pd.DataFrame(rows)


def build_slices():
    rows = []
    for s, _m, days in SEASONS:
        for h in range(24):
            rows.append({"slice": f"{s}-h{h:02d}", "day": s, "hour": str(h), "weight_h": str(days)})
    return pd.DataFrame(rows)


def hourly():
    hp = pd.read_csv(RAW / "hourly_profiles_wide.csv", dtype={"month": str})
    hp["adcode"] = hp["adcode"].astype(int)
    hp["month"] = hp["month"].astype(int)
    return hp


def season_mean(rows):
    """Day-weighted mean over the months in `rows` (DataFrame with month + h00..h23)."""
    hcols = [f"h{h:02d}" for h in range(24)]
    w = rows["month"].map(lambda m: DAYS_IN_MONTH[m - 1])
    return [(rows[c] * w).sum() / w.sum() for c in hcols]


def build_demand_profile():
    hp = hourly()
    gm = read("china_generation_mix.csv")
    cons = dict(zip(gm["adcode"].astype(int), gm["consumption_twh"].astype(float)))
    load = hp[hp["kind"] == "load"]
    hcols = [f"h{h:02d}" for h in range(24)]
    # absolute load ~ frac x consumption / annual mean frac (frac is relative to each province's max)
    scale = {ad: cons[ad] / g[hcols].to_numpy().mean() for ad, g in load.groupby("adcode")}
    shapes = {"interactive": {}, "batch": {}, "training": {}}
    for s, months, _d in SEASONS:
        sub = load[load["month"].isin(months)]
        nat = [0.0] * 24
        for ad, g in sub.groupby("adcode"):
            sm = season_mean(g)
            for h in range(24):
                nat[h] += sm[h] * scale[ad]
        mean = sum(nat) / 24
        inter = [round(v / mean, 4) for v in nat]
        inter[23] = round(24 - sum(inter[:23]), 4)  # exact mean 1 after rounding
        batch = [round(1 + BATCH_SHAPE_DAMPING * (f - 1), 4) for f in inter]
        batch[23] = round(24 - sum(batch[:23]), 4)
        shapes["interactive"][s], shapes["batch"][s], shapes["training"][s] = inter, batch, [1.0] * 24
    rows = [(w, f"{s}-h{h:02d}", shapes[w][s][h]) for w, *_r in WORKLOADS for s, _m, _d in SEASONS
            for h in range(24)]
    return pd.DataFrame([{"workload": w, "slice": sl, "factor": fmt(f, 4)} for w, sl, f in rows])


def build_tou(regions):
    rules = read("tou_rules.csv")
    src = read("tou_sources.csv").set_index("region")
    order = ["sharp", "peak", "flat", "valley", "deep-valley"]
    rows = []
    for reg in regions["region"]:
        s = float(src.loc[reg, "float_share"])
        # month x hour -> (period, ratio)
        grid = {(m, h): ("flat", 1.0) for m in range(1, 13) for h in range(24)}
        for _, r in rules[rules["region"] == reg].iterrows():
            for m in parse_months(r["months"]):
                for h in parse_hours(r["hours"]):
                    grid[(m, h)] = (r["period"], float(r["ratio"]))
        for h in range(24):
            num = sum(DAYS_IN_MONTH[m - 1] * (1 + s * (grid[(m, h)][1] - 1)) for m in range(1, 13))
            days = {}
            for m in range(1, 13):
                days[grid[(m, h)][0]] = days.get(grid[(m, h)][0], 0) + DAYS_IN_MONTH[m - 1]
            label = max(days, key=lambda k: (days[k], -order.index(k)))
            rows.append({"region": reg, "hour": str(h), "multiplier": fmt(num / 365, 3), "period": label})
    return pd.DataFrame(rows)


def build_renewables(regions):
    hp = hourly()
    gm = read("china_generation_mix.csv")
    gm["region"] = gm["name_en"].map(REGION_SLUG)
    p = read("china_provinces.csv")
    code = dict(zip(p["name_en"].map(REGION_SLUG), p["adcode"].astype(int)))
    flh = {(r["region"], t): float(r[f"{t}_full_load_hours"]) for _, r in gm.iterrows() for t in ["solar", "wind"]}
    rows, means = [], {}
    for reg in regions["region"]:
        for tech in ["solar", "wind"]:
            sub = hp[(hp["adcode"] == code[reg]) & (hp["kind"] == tech)]
            prof = {s: season_mean(sub[sub["month"].isin(ms)]) for s, ms, _d in SEASONS}
            if tech == "wind":
                shape = wind_shape(code[reg])
                prof = {s: [v * shape[h] for h, v in enumerate(vals)] for s, vals in prof.items()}
            ann = sum(sum(prof[s]) * d for s, _m, d in SEASONS) / (24 * 365)
            k = (flh[(reg, tech)] / 8760) / ann
            tot = 0.0
            for s, _m, d in SEASONS:
                for h in range(24):
                    cf = min(1.0, prof[s][h] * k)
                    cfs = fmt(cf, 4)
                    tot += float(cfs) * d
                    rows.append({"region": reg, "tech": tech, "slice": f"{s}-h{h:02d}", "cf": cfs})
            means[(reg, tech)] = tot / (24 * 365)
    return pd.DataFrame(rows), means


def wind_shape(adcode):
    """Diurnal wind factor by hour (mean 1): the province's own renewables.ninja December day
    where there is one, else the mean of the four normalised shapes (WIND_SHAPE_OWN)."""
    rn = read("wind_diurnal_rn_dec2022.csv")
    hcols = [f"h{h:02d}" for h in range(24)]
    shapes = {}
    for _, r in rn.iterrows():
        vals = [float(r[c]) for c in hcols]
        mean = sum(vals) / 24
        shapes[int(r["adcode"])] = [v / mean for v in vals]
    if adcode in WIND_SHAPE_OWN:
        return shapes[adcode]
    return [sum(sh[h] for sh in shapes.values()) / len(shapes) for h in range(24)]


def grid_charges(regions):
    """CNY/MWh a wheeled contract pays per MWh at 110 kV, by region (see TD_STEP_110KV)."""
    src = read("grid_charges.csv").set_index("region")
    out = {}
    for reg, flat in zip(regions["region"], regions["price_per_mwh"].astype(float), strict=True):
        if reg in src.index:
            r = src.loc[reg]
            td = float(r["td_per_mwh"]) - (0.0 if r["voltage"].startswith("110") else TD_STEP_110KV)
            out[reg] = td + sum(float(r[c]) for c in
                                ["system_op_per_mwh", "funds_per_mwh", "line_loss_per_mwh"])
        else:
            out[reg] = GRID_CHARGE_SHARE_OF_FLAT * flat - TD_STEP_110KV
    return out


def build_ppa(regions, cf_means):
    p = read("china_provinces.csv")
    p["region"] = p["name_en"].map(REGION_SLUG)
    bench = dict(zip(p["region"], p["coal_benchmark_tariff_yuan_per_kwh"].astype(float)))
    bench["tibet"] = bench[TIBET_BENCHMARK_PROXY_FROM]
    gm = read("china_generation_mix.csv")
    gm["region"] = gm["name_en"].map(REGION_SLUG)
    gw = {(r["region"], t): float(r[f"{t}_gw"]) for _, r in gm.iterrows() for t in ["solar", "wind"]}
    wheel = grid_charges(regions)
    rows = []
    for reg in regions["region"]:
        for tech in ["solar", "wind"]:
            mwh_per_mw = cf_means[(reg, tech)] * 8760
            mx = min(PPA_MAX_MW, max(PPA_MIN_MW, round(gw[(reg, tech)] * 1000 * PPA_SHARE_OF_INSTALLED)))
            rows.append({"region": reg, "tech": tech,
                         "cost_per_mw_year": fmt(bench[reg] * 1000 * mwh_per_mw, 0), "max_mw": str(int(mx)),
                         "wheeling_per_mwh": fmt(wheel[reg], 1)})
    return pd.DataFrame(rows)


def build_curtailment(regions, renewables):
    gm = read("china_generation_mix.csv")
    gm["region"] = gm["name_en"].map(REGION_SLUG)
    charges = grid_charges(regions)
    weight = {s: d for s, _m, d in SEASONS}
    cf = renewables.assign(cf=renewables["cf"].astype(float),
                           w=renewables["slice"].str.split("-").str[0].map(weight))
    rows = []
    for _, g in gm.iterrows():
        reg = g["region"]
        mw = {}
        for tech in ["solar", "wind"]:
            c = float(g[f"{tech}_curtailment_pct"]) / 100
            out_mwh = float(g[f"{tech}_gw"]) * 1000 * float(g[f"{tech}_full_load_hours"])
            curtailed = out_mwh * c / (1 - c) * CURTAIL_ACCESSIBLE_SHARE
            prof = cf[(cf["region"] == reg) & (cf["tech"] == tech)]
            hours = float((prof["cf"] * prof["w"]).sum())  # sum_t w_t cf_t
            for sl, v in zip(prof["slice"], prof["cf"], strict=True):
                mw[sl] = mw.get(sl, 0.0) + (curtailed * v / hours if hours > 0 else 0.0)
        if max(mw.values()) <= 0:
            continue
        for sl, v in mw.items():
            rows.append({"region": reg, "slice": sl, "surplus_mw": fmt(v, 1),
                         "price_per_mwh": fmt(charges[reg], 1)})
    return pd.DataFrame(rows)


def build_storage():
    power = 4 * (STORAGE_BID_2H - STORAGE_BID_4H)  # CNY/kW
    energy = STORAGE_BID_4H - power / 4  # CNY/kWh
    return pd.DataFrame([{
        "storage": "lfp", "name": "Lithium iron phosphate battery (utility scale)",
        "energy_capex_per_mwh": fmt(energy * 1000 * STORAGE_INSTALL_UPLIFT, 0),
        "power_capex_per_mw": fmt(power * 1000 * STORAGE_INSTALL_UPLIFT, 0),
        "lifetime_years": str(STORAGE_LIFE_Y), "round_trip_efficiency": fmt(STORAGE_RTE, 2),
    }])


def build_boundaries(out):
    d = json.loads((RAW / "china_provinces.geojson").read_text(encoding="utf-8"))
    p = read("china_provinces.csv")
    slug = dict(zip(p["adcode"].astype(int), p["name_en"].map(REGION_SLUG)))
    for f in d["features"]:
        props = f["properties"]
        f["properties"] = {"region": slug[int(props["adcode"])], **props}
    bd = out / "boundaries"
    bd.mkdir(parents=True, exist_ok=True)
    (bd / "china_provinces.geojson").write_text(
        json.dumps(d, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (bd / "china_context.geojson").write_bytes((RAW / "china_context.geojson").read_bytes())


# Accelerators supplied to China per class and year (hardware_supply.csv; SOURCES.md gives each
# source): (hardware, year, units, lead time in months or None, origin); a year's units serve
# from year + floor(lead / 12) in the model.
# gpu-imported counts H100-class equivalents: an H20 is taken as H20_PER_H100 of one (decode
# 712 vs 1,850 tok/s per GPU, reference accelerators table); an H200 as one.
H20_PER_H100 = 712 / 1850
HARDWARE_SUPPLY = [
    ("gpu-imported", 2024, round(1_000_000 * H20_PER_H100, -3), 3, "imported"),  # ~1 M H20
    ("gpu-imported", 2025, round(300_000 * H20_PER_H100, -3), 3, "imported"),  # estimate
    ("gpu-imported", 2026, 400_000, 3, "imported"),  # estimate: "several hundred thousand" H200
    ("npu-domestic", 2024, 550_000, None, "domestic"),  # planned 910B purchases 2024
    ("npu-domestic", 2025, 1_000_000 - 2 * 300_000, None, "domestic"),  # dies less 910C x 2
    ("npu-domestic", 2026, 1_600_000 - 2 * 600_000, None, "domestic"),  # dies less 910C x 2
    ("supernode", 2025, 300_000, None, "domestic"),  # 910C 2025 (BIS: at or below 200,000)
    ("supernode", 2026, 600_000, None, "domestic"),  # 910C 2026 target
]

# Willingness to pay per class in tiers (token_value.csv, CNY per Mtok of input + output
# tokens). List prices (CNY per M input / output tokens) blended at DeepSeek's production mix,
# 78 % input and 22 % output (open-infra-index day 6); shares of demand are estimates.
INPUT_SHARE = 0.78


def blend(price_in, price_out):
    return INPUT_SHARE * price_in + (1 - INPUT_SHARE) * price_out


# DeepSeek's own USD and CNY lists (output 1.10 USD = 8 CNY) give the CNY per USD used for the
# one USD price (H800 rental at USD 2 per GPU-hour, DeepSeek open-infra-index day 6).
CNY_PER_USD = 8 / 1.10
GPU_TRAIN_TOKENS_S = 941.9  # gpu-imported training throughput (throughput.csv)
# GPU-hours that do one MWh-IT of the reference hardware's training work: 1 MWh of 1.6 kW
# supernode units (651.0 training tokens/s each) = 625 unit-hours x 651.0 / 941.9 GPU-hours
GPU_HOURS_PER_REFERENCE_MWH = (1000 / 1.6 * TRAIN[TRAINING_REFERENCE][1]
                               * TRAIN[TRAINING_REFERENCE][0] / (6 * TRAIN_PARAMS)
                               / GPU_TRAIN_TOKENS_S)
TOKEN_VALUE = [  # (workload, tier, share, CNY per Mtok)
    ("interactive", "reasoning", 0.30, blend(4, 16)),  # DeepSeek-R1 standard price
    ("interactive", "standard", 0.50, blend(2, 8)),  # DeepSeek-V3 standard price
    ("interactive", "commodity", 0.20, blend(0.3, 0.6)),  # qwen-turbo (2024)
    ("batch", "off-peak", 0.60, blend(1, 4)),  # DeepSeek off-peak price
    ("batch", "commodity", 0.40, blend(0.3, 0.6) / 2),  # qwen-turbo batch (half price)
    # training is compute (demand_unit mw_it): its value is per MWh-IT of the reference
    # hardware busy = the GPU-hours that do the same work x the rental price
    ("training", "rental", 1.0, 2 * CNY_PER_USD * GPU_HOURS_PER_REFERENCE_MWH),
]


def build_hardware_supply():
    return pd.DataFrame([{"hardware": h, "year": str(y), "max_units": str(int(u)),
                          "lead_time_months": "" if lt is None else str(lt), "origin": o}
                         for h, y, u, lt, o in HARDWARE_SUPPLY])


def build_token_value():
    return pd.DataFrame([{"workload": w, "tier": t, "share": fmt(sh, 2),
                          "price_per_mtok": fmt(p, 4)} for w, t, sh, p in TOKEN_VALUE])


# --- kinds of site as data (seabed, edge) and whole units; SOURCES.md gives each figure ---
# Seabed: the Shanghai Lingang offshore-wind seabed data centre (completed Oct 2025): 24 MW in
# two phases for CNY 1.6 bn, green power > 95 %, no freshwater; 500 MW offshore-wind-direct
# follow-on signed. (id, name, local name, region, lat, lon, max_mw, module_mw)
SEABED = [("lingang-seabed", "Lingang offshore-wind seabed data centre", "临港海底数据中心",
           "shanghai", 30.75, 122.10, 500, 12.0)]
SEABED_CAPEX_PER_MW = 1.6e9 / 24  # CNY per MW (project total / MW; taken as facility capex)
SEABED_PUE = 1.11  # Lei & Masanet seawater economiser model, 1.114 up to ~28 C (C)
SEABED_GREEN = 0.95
SEABED_MAX_RACK_KW = 50  # estimate: racks in a sealed vessel on seawater heat exchangers
OFFSHORE_CF = 0.33  # estimate: offshore wind capacity factor, range 0.28-0.40
# Edge modules: prefabricated liquid-cooled containers at the reference point of the provinces
# whose capital has no candidate location within 6 ms round trip (4 ms overhead + ~136 km of
# fibre): where a metro latency budget cannot be met today. Estimates, see SOURCES.md.
EDGE_REGIONS = ["hebei", "shanxi", "jilin", "heilongjiang", "jiangxi", "ningxia"]
EDGE_MAX_MW = 20
EDGE_MODULE_MW = 1.0
EDGE_PUE = 1.20
EDGE_FACILITY_PREMIUM = 1.3  # x the liquid-cooled facility cost per MW (lost scale)
SYSTEM_UNITS = {"supernode": 384}  # CloudMatrix 384: bought in whole super-nodes


def add_site_kinds(locations, cooling, sites, regions, ppa):
    """Seabed and edge rows (locations, cooling, site_options) and the seabed's dedicated
    offshore wind (dedicated_supply.csv)."""
    a = crf(DISCOUNT_RATE, FACILITY_LIFE_Y)
    base, per_mw = 0.0, 0.0  # the grid connection is in grid_tiers.csv
    fixed = fmt((base + SITE_EXTRA_UPFRONT["national-cluster"]) * a, 0)
    conn = fmt(per_mw * a, 0)
    zone = dict(zip(regions["region"], regions["zone"]))
    ref = regions.set_index("region")
    peak = peak_load_mw()
    code = dict(zip(regions["region"], regions["code"].astype(int)))

    def headroom(reg):  # as every location: a share of the province's peak load
        return fmt(HEADROOM_SHARE_OF_PEAK * peak[code[reg]], 0)

    locs, opts, ded = [], [], []
    for lid, name, local, reg, lat, lon, mx, module in SEABED:
        locs.append({"location": lid, "name": name, "name_local": local, "region": reg,
                     "lat": fmt(lat, 4), "lon": fmt(lon, 4), "zone": zone[reg], "hub": "",
                     "kind": "seabed", "price_per_mwh": "", "fixed_cost_per_year": fixed,
                     "connection_cost_per_mw_year": conn, "max_mw": str(mx),
                     "grid_headroom_mw": headroom(reg), "min_green_share": fmt(SEABED_GREEN, 2)})
        opts.append({"site": f"{lid}-seawater", "location": lid, "cooling": "seawater",
                     "pue": fmt(SEABED_PUE, 3), "module_mw": fmt(module, 1)})
        wind = ppa[(ppa["region"] == reg) & (ppa["tech"] == "wind")].iloc[0]
        onshore_cf = float(wind["cost_per_mw_year"]) / 8760 / (bench_price(reg) * 1000)
        ded.append({"location": lid, "tech": "wind",
                    "cost_per_mw_year": fmt(bench_price(reg) * 1000 * OFFSHORE_CF * 8760, 0),
                    "max_mw": str(mx), "cf_scale": fmt(OFFSHORE_CF / onshore_cf, 3),
                    "wheeling_per_mwh": "0.0"})
    liquid = float(cooling.set_index("cooling").at["liquid", "facility_cost_per_mw_year"])
    for reg in EDGE_REGIONS:
        lid = f"{reg}-edge"
        locs.append({"location": lid, "name": f"{ref.at[reg, 'name']} edge modules",
                     "name_local": f"{ref.at[reg, 'name_local']}边缘", "region": reg,
                     "lat": fmt(float(ref.at[reg, "lat"]), 4),
                     "lon": fmt(float(ref.at[reg, "lon"]), 4), "zone": zone[reg], "hub": "",
                     "kind": "edge", "price_per_mwh": "", "fixed_cost_per_year": fixed,
                     "connection_cost_per_mw_year": conn, "max_mw": str(EDGE_MAX_MW),
                     "grid_headroom_mw": headroom(reg), "min_green_share": ""})
        opts.append({"site": f"{lid}-liquid", "location": lid, "cooling": "liquid",
                     "pue": fmt(EDGE_PUE, 3),
                     "facility_cost_per_mw_year": fmt(liquid * EDGE_FACILITY_PREMIUM, 0),
                     "module_mw": fmt(EDGE_MODULE_MW, 1)})
    sea = {"cooling": "seawater", "name": "Seabed module, seawater heat exchange",
           "facility_cost_per_mw_year": fmt(SEABED_CAPEX_PER_MW * a, 0), "wue_l_per_kwh": "0.00",
           "opex_per_mw_year": cooling.set_index("cooling").at["liquid", "opex_per_mw_year"],
           "max_rack_kw": str(SEABED_MAX_RACK_KW)}
    locations = pd.concat([locations.assign(min_green_share=""), pd.DataFrame(locs)],
                          ignore_index=True)
    sites = pd.concat([sites.assign(facility_cost_per_mw_year="", module_mw=""),
                       pd.DataFrame(opts)], ignore_index=True)
    return (locations, pd.concat([cooling, pd.DataFrame([sea])], ignore_index=True), sites,
            pd.DataFrame(ded))


def bench_price(region):
    """The province's coal benchmark (CNY/kWh): the price of grid-parity wind and solar."""
    p = read("china_provinces.csv")
    p["region"] = p["name_en"].map(REGION_SLUG)
    return float(p.set_index("region").at[region, "coal_benchmark_tariff_yuan_per_kwh"])


def add_systems(hardware):
    """hardware.csv units_per_system: classes bought in whole systems."""
    return hardware.assign(units_per_system=[str(SYSTEM_UNITS[h]) if h in SYSTEM_UNITS else ""
                                             for h in hardware["hardware"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(HERE), help="output directory (default: data/china)")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    regions, gdp, _adder = build_regions()
    write(regions, out / "regions.csv")
    ren, means = build_renewables(regions)
    locations, cooling, sites, dedicated = add_site_kinds(
        build_locations(regions), build_cooling(), build_site_options(regions), regions,
        build_ppa(regions, means))
    write(locations, out / "locations.csv")
    write(cooling, out / "cooling.csv")
    write(sites, out / "site_options.csv")
    write(dedicated, out / "dedicated_supply.csv")
    write(add_systems(build_hardware()), out / "hardware.csv")
    write(build_workloads(), out / "workloads.csv")
    throughput = build_throughput()
    write(throughput, out / "throughput.csv")
    write(build_demand(regions, gdp, throughput), out / "demand.csv")
    write(build_slices(), out / "slices.csv")
    write(build_demand_profile(), out / "demand_profile.csv")
    write(build_tou(regions), out / "tou.csv")
    write(ren, out / "renewables.csv")
    ppa = build_ppa(regions, means)
    write(ppa, out / "ppa.csv")
    write(build_direct_line(ppa), out / "direct_line.csv")
    write(build_curtailment(regions, ren), out / "curtailment.csv")
    write(build_storage(), out / "storage.csv")
    write(build_grid_tiers(), out / "grid_tiers.csv")
    write(build_hardware_supply(), out / "hardware_supply.csv")
    write(build_token_value(), out / "token_value.csv")
    (out / "estimates.csv").write_bytes((RAW / "estimates.csv").read_bytes())  # hand-encoded
    build_boundaries(out)


if __name__ == "__main__":
    main()
