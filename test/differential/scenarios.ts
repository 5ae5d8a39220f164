// The differential scenarios: the same topology + script runs on the simulator and on the real kernel.
// Taken from syllabus modules 1 (switching/routing), 3 (namespaces, veth) and 4 (bridges, NAT).

import { module1 } from "./scenarios-m1";
import { module3 } from "./scenarios-m3";
import { module4 } from "./scenarios-m4";
import type { Scenario } from "./scenario-kit";

export type { CompareMode, Scenario } from "./scenario-kit";

export const scenarios: Scenario[] = [...module1, ...module3, ...module4];
