
BprobabilitiesJ(Uâ=
Ş=~®=øy“=Š¶©=/”é=ØÙÉ=Ô»Ô=zæ=³jå=