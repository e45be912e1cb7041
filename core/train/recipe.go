package train

import (
	"fmt"
	"sort"
	"strings"
)

// Recipe names.
const (
	// RecipeDefault is the recipe every preset learns with from random
	// weights at the demo settings (see DefaultRecipe).
	RecipeDefault = "default"
	// RecipePaper is the paper's plain recipe (METHOD.md section 3):
	// PyTorch's initialisation, lr 1e-3, the engine's plateau patience. It
	// stays available so the paper's grid can be reproduced as published.
	RecipePaper = "paper"
)

// Recipe is a named way to train: what it sets in a Config and how long a
// run may stay on the fair-coin plateau before the monitor restarts it.
type Recipe struct {
	Name string `json:"name"`
	// WhhGain is Config.WhhGain (1: PyTorch's initialisation).
	WhhGain float64 `json:"whh_gain"`
	// LR is Config.LR.
	LR float64 `json:"lr"`
	// PlateauAfter is the monitor's patience in steps (Monitor.PlateauAfter).
	PlateauAfter int `json:"plateau_after"`
}

// PaperRecipe is RecipePaper.
var PaperRecipe = Recipe{Name: RecipePaper, WhhGain: 1, LR: DefaultLR, PlateauAfter: DefaultPlateauAfter}

// DefaultRecipe is RecipeDefault. CALIBRATE: doc comment with the measured table.
var DefaultRecipe = Recipe{Name: RecipeDefault, WhhGain: 3, LR: DefaultLR, PlateauAfter: 1000}

var recipes = map[string]Recipe{RecipeDefault: DefaultRecipe, RecipePaper: PaperRecipe}

// RecipeNames lists the recipes, sorted.
func RecipeNames() []string {
	var n []string
	for k := range recipes {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// RecipeByName returns the recipe called name.
func RecipeByName(name string) (Recipe, error) {
	r, ok := recipes[name]
	if !ok {
		return Recipe{}, fmt.Errorf("train: recipe %q, want one of %s", name, strings.Join(RecipeNames(), ", "))
	}
	return r, nil
}

// Apply sets the recipe's fields in c.
func (r Recipe) Apply(c *Config) {
	c.WhhGain, c.LR = r.WhhGain, r.LR
}
